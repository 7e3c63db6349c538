"""`::: practice SCENARIO MINUTES [note] :::`: a role-play a lesson assigns, checked against the
pack, the site and the audience of the lesson's course."""

import pytest
import yaml
from django.urls import reverse
from django.utils import translation

from content.directives import Block
from content.packs import read_pack
from courses.models import LessonPage
from tests.factories import build_scenario

LESSON = "courses/course-a/lessons/a-listening.md"
LINE = 9  # of the directive in the lesson `write_lesson` writes


def write_lesson(write, directive: str):
    write(
        LESSON,
        f"""
        ---
        slug: a-listening
        title: 聴くことから始める
        duration_minutes: 30
        delivery: online
        ---
        本文です。

        {directive}
        """,
    )


def set_role(pack, role: str):
    path = pack / "scenarios" / "test-visit.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["learner_role"] = role
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def set_audience(pack, audience: str):
    path = pack / "courses" / "course-a" / "course.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "audience: home_visitor", f"audience: {audience}"
    )
    path.write_text(text, encoding="utf-8")


def test_it_reads_a_practice_directive(pack, write):
    write_lesson(write, "::: practice test-visit 15 まず気持ちを受け止めてから :::")
    result, errors = read_pack(pack)
    assert errors == []
    lesson = next(lesson for lesson in result.lessons() if lesson.slug == "a-listening")
    assert lesson.body[-1] == Block(
        "practice",
        {"scenario": "test-visit", "minutes": 15, "note": "まず気持ちを受け止めてから"},
        LINE,
    )


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        (
            "::: practice :::",
            "'::: practice' needs its SCENARIO-SLUG MINUTES [note] on the same line",
        ),
        (
            "::: practice test-visit :::",
            "'::: practice' takes whole minutes from 5 to 120 after the scenario slug, not nothing",
        ),
        (
            "::: practice test-visit 121 :::",
            "'::: practice' takes whole minutes from 5 to 120 after the scenario slug, not 121",
        ),
        (
            "::: practice test-visit 4 :::",
            "'::: practice' takes whole minutes from 5 to 120 after the scenario slug, not 4",
        ),
        (
            "::: practice test-visit 十五 :::",
            "'::: practice' takes whole minutes from 5 to 120 after the scenario slug, not 十五",
        ),
        (
            "::: practice test/visit 15 :::",
            "'::: practice': scenario: Use letters, digits, - and _.",
        ),
        (
            "::: practice test-visit 15\n話す\n:::",
            "'::: practice' takes no content between its lines",
        ),
    ],
)
def test_it_reports_a_malformed_practice_directive_at_its_line(pack, write, directive, message):
    write_lesson(write, directive.replace("\n", "\n        "))
    _, errors = read_pack(pack)
    assert [str(error).removeprefix(f"{pack}/") for error in errors] == [
        f"{LESSON}:{LINE}: {message}"
    ]


@pytest.mark.django_db
def test_it_refuses_a_scenario_in_neither_the_pack_nor_the_site(pack, write, run):
    write_lesson(write, "::: practice nowhere 15 :::")
    result = run("load_content", pack)
    assert result.stderr == (
        f"{pack}/{LESSON}:{LINE}: scenario 'nowhere' is in neither the pack nor the site\n"
    )
    assert not LessonPage.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_scenario_for_another_audience(pack, write, run, with_scenario):
    set_role(pack, "coordinator")
    write_lesson(write, "::: practice test-visit 15 :::")
    result = run("load_content", pack)
    assert result.stderr == (
        f"{pack}/{LESSON}:{LINE}: scenario 'test-visit' has the learner play a coordinator, "
        "but course 'course-a' is for the audience home_visitor\n"
    )


@pytest.mark.django_db
def test_it_accepts_any_scenario_in_a_course_for_everyone(pack, write, run, with_scenario):
    set_role(pack, "coordinator")
    set_audience(pack, "all")
    write_lesson(write, "::: practice test-visit 15 :::")
    assert run("load_content", pack).error is None


@pytest.mark.django_db
def test_it_accepts_a_scenario_the_site_has_already(pack, write, run):
    build_scenario("site-visit")
    write_lesson(write, "::: practice site-visit 20 :::")
    assert run("load_content", pack).error is None


@pytest.mark.django_db
def test_it_loads_renders_and_exports_the_practice_block(pack, write, run, with_scenario, tmp_path):
    write_lesson(write, "::: practice test-visit 15 まず気持ちを受け止めてから :::")
    assert run("load_content", pack).error is None
    lesson = LessonPage.objects.get(slug="a-listening")
    block = lesson.body[-1]
    assert block.block_type == "practice"
    with translation.override("en"):
        html = block.render()
    assert f'href="{reverse("roleplay_scenario", args=["test-visit"])}"' in html
    assert "about 15 minutes" in html and "まず気持ちを受け止めてから" in html

    out = tmp_path / "out"
    assert run("export_content", "--output", out).error is None
    exported = (out / LESSON).read_text(encoding="utf-8")
    assert "::: practice test-visit 15 まず気持ちを受け止めてから :::" in exported
    again = run("load_content", out, "--json")
    assert again.error is None, again.stderr
    assert '"updated": 0' in again.stdout
