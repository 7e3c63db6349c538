"""The pack shipped in content/packs/default: what `make run` loads into every new site."""

import json
import re

import pytest

from courses.models import Competency, CoursePage, Delivery

CERTIFICATION_MINUTES = 37 * 60
MIN_ONLINE_LESSON_CHARS = 600


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
