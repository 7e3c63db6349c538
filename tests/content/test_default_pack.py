"""The pack shipped in content/packs/default: what `make run` loads into every new site."""

import json
import re

import pytest
import yaml

from content.packs import DEFAULT_PACK
from courses.models import Competency, CoursePage, Delivery

CERTIFICATION_MINUTES = 37 * 60
MIN_ONLINE_LESSON_CHARS = 600
# What the learner says when they take the safe step: a call to 189, 110 or 119 (the number
# alone, not part of a longer number or an amount), or telling the coordinator.
SAFE_ACTION = re.compile(
    r"(?<![0-9０-９])(?:189|110|119)(?![0-9０-９]|円|分|人|歳|日|回|件|年|号|万|cm|g|%|％)"
    r"|コーディネーターに(?:連絡|報告|相談)"
)


def body_text(lesson) -> str:
    """The words a learner reads in the lesson body, without markup."""
    parts = []
    for child in lesson.body:
        value = child.value
        match child.block_type:
            case "markdown":
                parts.append(value)
            case "rich_text":
                parts.append(re.sub(r"<[^>]+>", "", value.source))
            case "callout":
                parts += [value["title"] or "", value["body"]]
            case "reflection":
                parts.append(value["prompt"])
            case "key_phrases":
                parts += [text for phrase in value["phrases"] for text in phrase.values()]
    return "".join(part.strip() for part in parts)


@pytest.mark.django_db
def test_it_loads_the_default_pack(run):
    first = run("load_content", "--json")
    assert first.error is None, first.stderr

    courses = {course.slug: course for course in CoursePage.objects.live()}
    assert {"hv-certification", "hv-follow-up", "co-practice"} <= set(courses)

    certification = courses["hv-certification"]
    lessons = list(certification.lessons())
    assert sum(lesson.duration_minutes for lesson in lessons) == CERTIFICATION_MINUTES
    assert certification.required_minutes == CERTIFICATION_MINUTES
    for lesson in lessons:
        if lesson.delivery == Delivery.ONLINE:
            assert len(body_text(lesson)) >= MIN_ONLINE_LESSON_CHARS, lesson.slug
            assert any(child.block_type == "reflection" for child in lesson.body), lesson.slug

    coordinator_roles = Competency.objects.filter(code__startswith="CO-")
    assert coordinator_roles.count() == 37
    unlinked = coordinator_roles.filter(lessons__isnull=True).values_list("code", flat=True)
    assert list(unlinked) == []

    second = json.loads(run("load_content", "--json").stdout)
    assert (second["created"], second["updated"]) == (0, 0)
    assert second["unchanged"] == sum(
        json.loads(first.stdout)[key] for key in ("created", "updated", "unchanged")
    )


@pytest.mark.django_db
def test_it_ships_playable_scenarios_for_every_coordinator_category(run):
    from roleplay.models import LearnerRole, Scenario

    assert run("load_content").error is None
    scenarios = list(Scenario.objects.playable())
    assert len(scenarios) >= 12
    categories = set()
    for scenario in scenarios:
        script = scenario.build_script()
        assert script.problems() == [], scenario.slug
        assert len(script.nodes) >= 8, scenario.slug
        assert len({n.id for n in script.endings}) >= 2, scenario.slug
        assert scenario.hidden_facts and scenario.persona_style, scenario.slug
        for node in script.nodes.values():
            for choice in node.choices:
                assert choice.scores and choice.feedback, (scenario.slug, node.id, choice.id)
            # Choices must differ in quality, or there is nothing to learn at this node.
            qualities = {c.quality for c in node.choices}
            assert not node.choices or len(qualities) > 1, (scenario.slug, node.id)
        categories |= {c.category.code for c in scenario.competencies.all()}
    assert {f"CO-{n}" for n in range(1, 8)} <= categories
    roles = {s.learner_role for s in scenarios}
    assert roles == {LearnerRole.HOME_VISITOR, LearnerRole.COORDINATOR}


@pytest.mark.django_db
def test_it_counts_scenarios_and_criteria_in_competency_coverage(run):
    assert run("load_content").error is None
    report = json.loads(run("competency_coverage", "--json").stdout)
    by_code = {c["code"]: c for c in report["competencies"]}
    assert by_code["CO-7-01"]["scenarios"] >= 1
    assert sum(c["criteria"] for c in report["competencies"]) > 0


def test_it_marks_every_call_for_help_in_the_default_scenarios_as_safe():
    unmarked = []
    for path in sorted((DEFAULT_PACK / "scenarios").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for node in data["nodes"]:
            for choice in node.get("choices") or ():
                if SAFE_ACTION.search(choice["text"]) and not choice.get("safe"):
                    unmarked.append(f"{path.stem}: {node['id']}/{choice['id']}")
    assert unmarked == []


@pytest.mark.django_db
def test_it_backs_every_credited_minute_of_the_default_pack_with_content(run):
    """Issue 10's honest hours: the shipped pack passes `load_content --check` as it stands."""
    result = run("load_content", "--check", "--json")
    assert result.error is None, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == []
    assert [lesson["lesson"] for lesson in report["lessons"] if not lesson["ok"]] == []
    assert [course["course"] for course in report["courses"] if not course["ok"]] == []
    assert len(report["lessons"]) >= 60


def test_it_ships_enough_scenarios_for_both_roles_and_every_coordinator_role():
    scenarios = [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in (DEFAULT_PACK / "scenarios").glob("*.yaml")
    ]
    roles = [scenario["learner_role"] for scenario in scenarios]
    assert len(scenarios) >= 24
    assert roles.count("home_visitor") >= 10
    practised = {code for scenario in scenarios for code in scenario["competencies"]}
    framework = yaml.safe_load((DEFAULT_PACK / "frameworks" / "coordinator.yaml").read_text())
    roles_in_framework = {
        competency["code"]
        for category in framework["categories"]
        for competency in category["competencies"]
    }
    assert roles_in_framework - practised == set()
