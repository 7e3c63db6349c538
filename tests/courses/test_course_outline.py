"""What the learner does next: the next lesson they can do now, in-person dates and places,
✓ per completed lesson, and a role-play to practise a lesson with."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from courses import services
from courses.models import Competency, CompetencyCategory, CompetencyFramework, Delivery
from tests.factories import build_scenario

TOKYO = ZoneInfo("Asia/Tokyo")


def in_person(lesson):
    lesson.delivery = Delivery.LECTURE
    lesson.save()
    return lesson


@pytest.fixture
def listening(people):
    framework = CompetencyFramework.objects.create(code="hv", name="訪問支援員")
    category = CompetencyCategory.objects.create(framework=framework, code="HV-1", name="基本")
    competency = Competency.objects.create(category=category, code="HV-LISTEN", name="傾聴")
    lesson = people.lessons[0]
    lesson.competencies.add(competency)
    lesson.save()
    return competency


@pytest.mark.django_db
def test_it_points_next_at_a_lesson_the_learner_can_do_now(client, people):
    in_person(people.lessons[1])
    services.complete_lesson(people.alice, people.lessons[0])
    progress = services.course_progress(people.alice, people.course)
    # Lesson 2 is in person with no session yet: the learner can go on with lesson 3.
    assert progress.next_lesson.pk == people.lessons[2].pk

    client.force_login(people.alice)
    link = f'href="{people.lessons[2].url}">{people.lessons[2].title}'
    assert link in client.get(reverse("home")).content.decode()
    assert link in client.get(people.course.url).content.decode()


@pytest.mark.django_db
def test_it_says_the_rest_is_in_person_when_only_in_person_lessons_are_left(client, people):
    for lesson in people.lessons[1:]:
        in_person(lesson)
    services.complete_lesson(people.alice, people.lessons[0])
    assert services.course_progress(people.alice, people.course).next_lesson is None
    client.force_login(people.alice)
    html = client.get(reverse("home")).content.decode()
    assert "残りは集合研修です" in html


@pytest.mark.django_db
def test_it_shows_the_cohorts_date_and_place_on_in_person_lessons(client, people):
    lesson = in_person(people.lessons[1])
    people.session_a.lesson = lesson
    people.session_a.starts_at = datetime(2026, 12, 7, 10, 0, tzinfo=TOKYO)
    people.session_a.place = "中央公民館"
    people.session_a.save()

    client.force_login(people.alice)
    outline = client.get(people.course.url).content.decode()
    assert "2026年12月7日（月）10:00 · 中央公民館" in outline
    assert "2026年12月7日（月）10:00 · 中央公民館" in client.get(lesson.url).content.decode()

    # Charlie's cohort has not scheduled it yet.
    client.force_login(people.charlie)
    outline = client.get(people.course.url).content.decode()
    assert "中央公民館" not in outline
    assert "日程未定" in outline or "Date to be announced" in outline


@pytest.mark.django_db
def test_it_ticks_each_completed_lesson_in_the_outline(client, people):
    services.complete_lesson(people.alice, people.lessons[0])
    services.complete_lesson(people.alice, people.lessons[3])
    client.force_login(people.alice)
    html = client.get(people.course.url).content.decode()
    assert html.count('<li class="done">') == 2
    assert html.count("✓") == 2


@pytest.mark.django_db
def test_it_links_a_lesson_to_a_live_scenario_on_the_same_competency(client, people, listening):
    scenario = build_scenario("listening-visit")
    scenario.competencies.add(listening)
    scenario.save()
    draft = build_scenario("draft-visit", live=False, title="下書きの訪問")
    draft.competencies.add(listening)
    draft.save()

    outline = services.course_outline(people.alice, people.course)
    rows = [row for module in outline for row in module.lessons]
    assert rows[0].scenario == {"slug": "listening-visit", "title": "テスト訪問"}
    assert all(row.scenario is None for row in rows[1:])

    client.force_login(people.alice)
    url = reverse("roleplay_scenario", args=["listening-visit"])
    assert url in client.get(people.course.url).content.decode()
    assert url in client.get(people.lessons[0].url).content.decode()
    assert "draft-visit" not in client.get(people.course.url).content.decode()


@pytest.mark.django_db
def test_it_shows_a_lessons_competencies_and_the_live_scenario_sharing_most_of_them(
    client, people, listening
):
    category = listening.category
    # Sort order, not code, decides the order the badges are shown in.
    ask = Competency.objects.create(category=category, code="HV-0-ASK", name="質問", sort_order=2)
    listening.sort_order = 1
    listening.save()
    lesson = people.lessons[0]
    lesson.competencies.add(ask)
    lesson.save()
    one = build_scenario("one-shared", title="ひとつ重なる訪問")
    both = build_scenario("both-shared", title="ふたつ重なる訪問")
    draft = build_scenario("draft-both", live=False, title="あの下書きの訪問")  # sorts first
    for scenario, shared in (
        (one, [listening]),
        (both, [listening, ask]),
        (draft, [listening, ask]),
    ):
        scenario.competencies.add(*shared)
        scenario.save()  # a parental many-to-many is written on save

    client.force_login(people.alice)
    html = client.get(lesson.url).content.decode()
    assert html.index("傾聴") < html.index("質問")
    assert reverse("roleplay_scenario", args=["both-shared"]) in html
    assert "one-shared" not in html
    assert "draft-both" not in html


@pytest.mark.django_db
def test_it_builds_the_outline_in_a_fixed_number_of_queries(
    people, listening, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        outline = services.course_outline(people.alice, people.course)
    assert [len(module.lessons) for module in outline] == [2, 2]
