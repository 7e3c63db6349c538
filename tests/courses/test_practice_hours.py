"""Role-play practice is its own bucket of hours, credited once per stretch of real time."""

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Audience, HoursEntry, HoursSource
from tests.factories import build_course, make_user

# A fixed local morning, so the daily cap never straddles midnight.
MORNING = timezone.make_aware(datetime(2026, 12, 7, 9, 0))


def at(minutes: float):
    return MORNING + timedelta(minutes=minutes)


def practise(user, start, end, *, audience=Audience.HOME_VISITOR):
    return services.credit_practice(
        user, audience=audience, started_at=at(start), ended_at=at(end), reason="初回訪問", by=user
    )


def practice_minutes(user) -> int:
    return sum(
        HoursEntry.objects.filter(user=user, source=HoursSource.ROLEPLAY).values_list(
            "minutes", flat=True
        )
    )


@pytest.mark.django_db
def test_it_credits_the_minutes_spent_with_the_interval(people):
    entry = practise(people.alice, 0, 25.5)
    assert (entry.minutes, entry.source, entry.course) == (25, "roleplay", people.course)
    assert (entry.period_start, entry.period_end) == (at(0), at(25.5))
    assert entry.created_by == people.alice and entry.reason == "初回訪問"


@pytest.mark.django_db
def test_it_counts_overlapping_sessions_once(people):
    assert practise(people.alice, 0, 30).minutes == 30
    assert practise(people.alice, 10, 40).minutes == 10
    assert practise(people.alice, 5, 35) is None
    assert practice_minutes(people.alice) == 40


@pytest.mark.django_db
def test_it_credits_the_union_of_ten_overlapping_sessions(people):
    for n in range(10):
        practise(people.alice, n * 2, n * 2 + 15)
    assert practice_minutes(people.alice) == 33  # from minute 0 to minute 33


@pytest.mark.django_db
def test_it_does_not_credit_sessions_started_and_ended_at_once(people):
    for _ in range(30):
        practise(people.alice, 0, 4 / 60)  # 30 sessions of four seconds each
    assert practice_minutes(people.alice) == 0


@pytest.mark.django_db
def test_it_caps_a_session_and_a_day(people, settings):
    settings.YORISOI_ROLEPLAY_MAX_MINUTES = 60
    settings.YORISOI_ROLEPLAY_DAILY_MINUTES = 100
    assert practise(people.alice, 0, 90).minutes == 60
    assert practise(people.alice, 100, 150).minutes == 40
    assert practise(people.alice, 160, 200) is None
    assert practice_minutes(people.alice) == 100
    tomorrow = 24 * 60
    assert practise(people.alice, tomorrow, tomorrow + 30).minutes == 30
    # Another learner has a cap of their own.
    assert practise(people.bob, 0, 30).minutes == 30


@pytest.mark.django_db
def test_it_credits_nothing_without_an_enrolment(people):
    dora = make_user("dora", "受講者")
    assert practise(dora, 0, 30) is None
    assert not HoursEntry.objects.filter(user=dora).exists()


@pytest.mark.django_db
def test_it_picks_the_course_for_the_scenarios_audience(people):
    coordinators = build_course("coordinators")
    coordinators.audience = Audience.COORDINATOR
    coordinators.save()
    services.enrol(people.alice, coordinators)  # newer than the home-visitor course
    people.course.audience = Audience.HOME_VISITOR
    people.course.save()
    assert practise(people.alice, 0, 10).course == people.course
    assert practise(people.alice, 20, 30, audience=Audience.COORDINATOR).course == coordinators


def alice_row(people):
    row = next(row for row in services.cohort_matrix(people.cohort_a).rows if row.name == "有田 愛")
    return row.credited_minutes, row.practice_minutes


@pytest.mark.django_db
def test_it_keeps_practice_out_of_the_course_hours_unless_the_course_says_so(people):
    services.complete_lesson(people.alice, people.lessons[0])
    entry = practise(people.alice, 0, 45)
    services.correct_entry(entry, 30, "記録の誤り", by=people.tom)
    enrollment = people.alice.enrollments.get()
    assert (enrollment.credited_minutes(), enrollment.practice_minutes()) == (30, 30)
    progress = services.course_progress(people.alice, people.course)
    assert (progress.credited_minutes, progress.practice_minutes) == (30, 30)
    assert alice_row(people) == (30, 30)

    people.course.practice_counts = True
    people.course.save()
    enrollment.refresh_from_db()
    assert enrollment.credited_minutes() == 60
    assert services.course_progress(people.alice, people.course).credited_minutes == 60
    assert alice_row(people) == (60, 30)


@pytest.mark.django_db
def test_it_does_not_let_practice_hide_a_trainee_who_is_behind(people, settings):
    settings.YORISOI_ROLEPLAY_MAX_MINUTES = 120
    today = timezone.localdate()
    people.cohort_a.starts_on = today - timedelta(days=10)
    people.cohort_a.ends_on = today + timedelta(days=10)
    people.cohort_a.save()
    people.session_a.starts_at = timezone.now() - timedelta(days=3)
    people.session_a.save()
    people.bob.enrollments.update(enrolled_at=timezone.now() - timedelta(days=10))
    now = timezone.now()
    entry = services.credit_practice(
        people.bob,
        audience=Audience.HOME_VISITOR,
        started_at=now - timedelta(minutes=100),
        ended_at=now,
        reason="練習",
        by=people.bob,
    )
    assert entry.minutes == 100  # more than the 72 minutes that would keep him on pace
    rows = {row.enrollment.user: row for row in services.cohort_matrix(people.cohort_a).rows}
    assert (rows[people.bob].credited_minutes, rows[people.bob].practice_minutes) == (0, 100)
    assert rows[people.bob].behind


@pytest.mark.django_db
def test_it_shows_practice_beside_the_course_hours(client, people):
    services.complete_lesson(people.alice, people.lessons[0])
    practise(people.alice, 0, 45)
    client.force_login(people.alice)
    pages = {
        "home": client.get(reverse("home")),
        "course": client.get(people.course.url),
        "hours": client.get(reverse("my_hours", args=[people.course.pk])),
    }
    client.force_login(people.tom)
    pages["dashboard"] = client.get(reverse("cohort_dashboard", args=[people.cohort_a.pk]))
    for name, response in pages.items():
        html = response.content.decode()
        # 45 minutes of practice read 0.7 hours: totals round down, so nobody reads a
        # requirement as met before it is.
        assert re.search(r'class="practice-hours"[^>]*>[^<]*0\.7(?!\d)', html), name
        assert "0.5" in html, name  # the 30 course minutes
