import re

import pytest
from django import forms
from django.urls import reverse

from courses.models import Competency, CompetencyCategory, CompetencyFramework, CourseIndexPage
from courses.widgets import GroupedCheckboxSelectMultiple
from yorisoi.roles import ensure_groups


@pytest.fixture
def authoring(people):
    ensure_groups(catalogue=CourseIndexPage.objects.get())
    return people


@pytest.mark.django_db
def test_it_lets_trainers_author_lessons_in_wagtail(client, authoring):
    client.force_login(authoring.tom)
    lesson = authoring.lessons[0]
    response = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))
    assert response.status_code == 200
    assert "duration_minutes" in response.content.decode()


@pytest.mark.django_db
def test_it_keeps_trainees_out_of_the_admin(client, authoring):
    client.force_login(authoring.alice)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_it_lists_only_the_trainers_own_cohorts_in_the_admin(client, authoring):
    client.force_login(authoring.tom)
    response = client.get(reverse("wagtailsnippets_courses_cohort:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "第12期" in html and "第13期" not in html
    for view in ("edit", "delete"):
        url = reverse(f"wagtailsnippets_courses_cohort:{view}", args=[authoring.cohort_b.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "乗っ取り"}).status_code == 404
    url = reverse("wagtailsnippets_courses_inpersonsession:edit", args=[authoring.session_b.pk])
    assert client.get(url).status_code == 404
    own = reverse("wagtailsnippets_courses_cohort:edit", args=[authoring.cohort_a.pk])
    assert client.get(own).status_code == 200
    authoring.cohort_b.refresh_from_db()
    assert authoring.cohort_b.name == "第13期"


@pytest.mark.django_db
def test_it_shows_the_admin_in_japanese_by_default(client, authoring):
    client.force_login(authoring.tom)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'lang="ja"' in html


@pytest.fixture
def frameworks(db):
    """Two frameworks of two categories each, created out of order to test the grouping."""
    made = {}
    for framework_order, framework_code in ((2, "co"), (1, "hv")):
        framework = CompetencyFramework.objects.create(
            code=framework_code, name=f"{framework_code}の体系", sort_order=framework_order
        )
        for category_order in (2, 1):
            code = f"{framework_code.upper()}-{category_order}"
            category = CompetencyCategory.objects.create(
                framework=framework, code=code, name=f"{code}の分類", sort_order=category_order
            )
            for n in (1, 2):
                competency = Competency.objects.create(
                    category=category, code=f"{code}-{n}", name=f"{code}の{n}", sort_order=n
                )
                made[competency.code] = competency
    return made


def picker(competencies, value=()):
    field = forms.ModelMultipleChoiceField(
        Competency.objects.all(), widget=GroupedCheckboxSelectMultiple
    )
    return field.widget.render("competencies", [str(c.pk) for c in value])


def test_it_groups_competency_checkboxes_by_framework_then_category(frameworks):
    html = picker(frameworks, value=[frameworks["CO-1-2"]])
    headings = re.findall(r"<legend>([^<]*)</legend>", html)
    assert headings == [
        "hvの体系", "HV-1 HV-1の分類", "HV-2 HV-2の分類",
        "coの体系", "CO-1 CO-1の分類", "CO-2 CO-2の分類",
    ]  # fmt: skip
    assert html.count('type="checkbox"') == 8
    assert html.index("CO-1-1 CO-1の1") < html.index("CO-1-2 CO-1の2")
    checked = re.findall(r'<input type="checkbox"[^>]*checked[^>]*>', html)
    assert len(checked) == 1 and f'value="{frameworks["CO-1-2"].pk}"' in checked[0]


def test_it_renders_the_competency_picker_without_a_query_per_competency(
    frameworks, django_assert_num_queries
):
    # Django's count of the choices, the competencies, their categories, their frameworks.
    with django_assert_num_queries(4):
        picker(frameworks)


def test_it_offers_a_lessons_competencies_as_grouped_checkboxes(client, authoring, frameworks):
    lesson = authoring.lessons[0]
    lesson.competencies = [frameworks["HV-1-1"]]
    lesson.save_revision().publish()
    client.force_login(authoring.tom)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk])).content.decode()
    assert '<select name="competencies"' not in html
    assert "<legend>HV-1 HV-1の分類</legend>" in html
    box = re.search(rf'<input[^>]*value="{frameworks["HV-1-1"].pk}"[^>]*>', html).group()
    assert 'name="competencies"' in box and "checked" in box


def test_it_filters_competencies_by_framework_under_a_japanese_label(client, authoring, frameworks):
    client.force_login(authoring.tom)
    url = reverse("wagtailsnippets_courses_competency:list")
    hv = CompetencyFramework.objects.get(code="hv")
    html = client.get(url, {"framework": hv.pk}).content.decode()
    assert "コンピテンシー分類 コンピテンシー体系" not in html
    assert re.search(r'aria-controls="drilldown-id_framework".*?>\s*コンピテンシー体系', html, re.S)
    assert "HV-1-1" in html and "CO-1-1" not in html
