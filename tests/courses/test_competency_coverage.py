import json

import pytest
from django.core.management import call_command

from courses.models import Competency, CompetencyCategory, CompetencyFramework


@pytest.fixture
def framework(course):
    fw = CompetencyFramework.objects.create(code="home_visitor", name="訪問支援員")
    cat = CompetencyCategory.objects.create(framework=fw, code="HV-1", name="関わりの基本")
    listen = Competency.objects.create(category=cat, code="HV-LISTEN", name="傾聴")
    Competency.objects.create(category=cat, code="HV-LEVEL", name="対等な関わり")
    for lesson in course.lessons()[:2]:
        lesson.competencies.add(listen)
        lesson.save()
    return fw


@pytest.mark.django_db
def test_it_reports_coverage_as_json(framework, capsys):
    call_command("competency_coverage", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["uncovered"] == ["HV-LEVEL"]
    listen = next(c for c in report["competencies"] if c["code"] == "HV-LISTEN")
    assert listen == {
        "code": "HV-LISTEN",
        "name": "傾聴",
        "framework": "home_visitor",
        "lessons": 2,
        "scenarios": 0,
        "criteria": 0,
        "questions": 0,
    }


@pytest.mark.django_db
def test_it_prints_a_table_that_names_the_gaps(framework, capsys):
    call_command("competency_coverage")
    out = capsys.readouterr().out
    assert "1 of 2 competencies covered" in out
    assert "HV-LEVEL" in out.splitlines()[-1]
