"""A trainer sees the practice that belongs to a cohort they run: its trainees' sessions started
within the cohort's dates, in scenarios for the course's audience. One queryset method decides
(PracticeSession.objects.visible_to), and every trainer view uses it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.review import reviewable_sessions
from courses.models import Audience
from roleplay.models import PracticeSession, SessionStatus


def practice(user, scenario, started_at, role=None):
    data = scenario.as_data()
    if role:
        data["learner_role"] = role
    return PracticeSession.objects.create(
        user=user,
        scenario=scenario,
        scenario_data=data,
        mode="scripted",
        started_at=started_at,
        status=SessionStatus.ENDED,
        ended_at=started_at + timedelta(minutes=10),
    )


@pytest.fixture
def sessions(people, scenario):
    now = timezone.now()
    ns = type("Sessions", (), {})()
    ns.during = practice(people.alice, scenario, now)
    ns.before = practice(people.alice, scenario, now - timedelta(days=30))
    ns.after = practice(people.alice, scenario, now + timedelta(days=30))
    ns.coordinator_role = practice(people.alice, scenario, now, role="coordinator")
    return ns


def visible_ids(user):
    return set(PracticeSession.objects.visible_to(user).values_list("pk", flat=True))


@pytest.mark.django_db
def test_it_shows_a_trainer_only_sessions_within_the_cohorts_dates(people, sessions):
    seen = visible_ids(people.tom)

    assert sessions.during.pk in seen
    assert sessions.before.pk not in seen
    assert sessions.after.pk not in seen


@pytest.mark.django_db
def test_it_shows_a_trainer_only_scenarios_for_the_courses_audience(people, sessions):
    people.course.audience = Audience.HOME_VISITOR
    people.course.save()

    seen = visible_ids(people.tom)

    assert sessions.during.pk in seen
    assert sessions.coordinator_role.pk not in seen


@pytest.mark.django_db
def test_it_shows_every_role_for_a_course_for_everyone(people, sessions):
    assert sessions.coordinator_role.pk in visible_ids(people.tom)


@pytest.mark.django_db
def test_it_leaves_learners_and_org_admins_as_they_were(people, sessions):
    assert visible_ids(people.alice) == {
        sessions.during.pk,
        sessions.before.pk,
        sessions.after.pk,
        sessions.coordinator_role.pk,
    }
    assert visible_ids(people.bob) == set()
    assert visible_ids(people.tina) == set()
    assert sessions.before.pk in visible_ids(people.ada)


@pytest.mark.django_db
def test_it_applies_the_rule_to_the_review_queue_and_the_trainer_pages(client, people, sessions):
    assert set(reviewable_sessions(people.tom).values_list("pk", flat=True)) == {
        sessions.during.pk,
        sessions.coordinator_role.pk,
    }
    client.force_login(people.tom)
    assert client.get(reverse("roleplay_debrief", args=[sessions.before.pk])).status_code == 404
    assert client.get(f"/api/roleplay/sessions/{sessions.after.pk}").status_code == 404
    assert client.get(f"/api/roleplay/sessions/{sessions.during.pk}").status_code == 200
