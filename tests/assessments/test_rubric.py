"""The rubric as data: the standard rubric, blockers, the pass rule and trainer edits."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from assessments.models import Rubric, RubricCriterion
from assessments.rubrics import STANDARD, CriterionSpec, RubricSpec, rubric_for_scenario
from courses.models import Competency, CompetencyCategory, CompetencyFramework

SEVEN = [
    "empathy",
    "non_directive",
    "strengths",
    "needs_elicitation",
    "boundaries",
    "confidentiality",
    "safety",
]


def scores(**levels):
    return {key: {"level": levels.get(key, 4)} for key in SEVEN}


@pytest.mark.django_db
def test_it_creates_the_standard_rubric_with_seven_criteria():
    rubric = Rubric.objects.get(key="standard")
    criteria = list(rubric.criteria.all())
    assert [c.key for c in criteria] == SEVEN
    assert {c.key for c in criteria if c.blocker} == {"safety", "confidentiality"}
    assert criteria[-1].label == "安全の確保とつなぐ判断"
    assert "189" in criteria[-1].description


@pytest.mark.django_db
def test_it_reads_the_stored_rubric_as_the_built_in_one():
    assert Rubric.objects.spec("standard") == STANDARD


def test_it_fails_a_session_with_a_blocker_at_level_one_whatever_the_rest():
    assert STANDARD.passed(scores()) is True
    assert STANDARD.passed(scores(safety=1)) is False
    assert STANDARD.passed(scores(confidentiality=1)) is False


def test_it_lets_a_non_blocker_at_level_one_pass_when_the_mean_is_reached():
    assert STANDARD.passed(scores(empathy=1)) is True
    low = scores(empathy=1, strengths=1, non_directive=2, boundaries=2, needs_elicitation=2)
    assert STANDARD.passed(low) is False


def test_it_leaves_criteria_without_an_occasion_out_of_the_mean():
    only_two = {"empathy": {"level": 3}, "safety": {"level": None}, "boundaries": None}
    assert STANDARD.passed(only_two) is True
    assert STANDARD.passed({key: {"level": None} for key in SEVEN}) is False


@pytest.mark.django_db
def test_it_follows_a_trainers_edit_of_blockers_and_pass_mark():
    rubric = Rubric.objects.get(key="standard")
    rubric.criteria.filter(key="empathy").update(blocker=True)
    rubric.pass_mean = Decimal("3.5")
    rubric.save()
    spec = Rubric.objects.spec("standard")
    assert spec.passed(scores(empathy=1)) is False
    assert spec.passed(scores(strengths=2, boundaries=2)) is False
    assert spec.passed(scores(strengths=2, boundaries=3)) is True


@pytest.mark.django_db
def test_it_falls_back_to_the_built_in_standard_rubric_but_not_for_other_keys():
    Rubric.objects.filter(key="standard").delete()
    assert Rubric.objects.spec("standard") == STANDARD
    with pytest.raises(Rubric.DoesNotExist):
        Rubric.objects.spec("no-such-rubric")


def test_it_adds_a_scenarios_own_criteria_as_non_blockers():
    data = {
        "slug": "intake",
        "title": "初回の電話",
        "rubric": {
            "standard": True,
            "criteria": [
                {"key": "intake", "label": "聞き取り", "description": "", "blocker": True}
            ],
        },
    }
    spec = rubric_for_scenario(STANDARD, data)
    assert spec.keys == [*SEVEN, "intake"]
    assert spec.criterion("intake").blocker is False
    alone = rubric_for_scenario(STANDARD, {**data, "rubric": {**data["rubric"], "standard": False}})
    assert alone.keys == ["intake"]


def test_it_applies_the_pass_rule_to_a_rubric_of_its_own():
    spec = RubricSpec(
        key="intake",
        name="初回の電話",
        criteria=[
            CriterionSpec(key="a", label="A", blocker=True),
            CriterionSpec(key="b", label="B"),
        ],
    )
    assert spec.passed({"a": {"level": 3}, "b": {"level": 2}}) is True
    assert spec.passed({"a": {"level": 1}, "b": {"level": 4}}) is False


@pytest.mark.django_db
def test_it_links_criteria_to_competencies_without_clashing_with_scenarios():
    framework = CompetencyFramework.objects.create(code="hv", name="訪問支援員")
    category = CompetencyCategory.objects.create(framework=framework, code="HV-1", name="基本")
    competency = Competency.objects.create(category=category, code="HV-SAFE", name="安全")
    criterion = RubricCriterion.objects.get(rubric__key="standard", key="safety")
    criterion.competencies.add(competency)
    # A clusterable model keeps parental relations in memory until it is saved.
    criterion.save()
    assert list(competency.assessment_criteria.all()) == [criterion]
    assert list(competency.rubric_criteria.all()) == []


@pytest.mark.django_db
def test_it_lets_an_editor_change_the_rubric_in_the_admin(client):
    editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "x")
    client.force_login(editor)
    rubric = Rubric.objects.get(key="standard")
    criteria = list(rubric.criteria.all())
    rows = [
        {
            "id": c.pk,
            "key": c.key,
            "label": c.label,
            "description": c.description,
            "blocker": c.blocker or c.key == "boundaries",
            "competencies": [],
            "ORDER": n,
        }
        for n, c in enumerate(criteria)
    ]
    data = nested_form_data(
        {
            "key": "standard",
            "name": rubric.name,
            "pass_mean": "2.5",
            "criteria": inline_formset(rows, initial=len(rows), min=1),
        }
    )
    response = client.post(
        reverse("wagtailsnippets_assessments_rubric:edit", args=[rubric.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    spec = Rubric.objects.spec("standard")
    assert spec.criterion("boundaries").blocker is True
    assert spec.passed(scores(boundaries=1)) is False
