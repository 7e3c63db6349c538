"""Who is behind: the pace starts on a trainee's own first day, and nobody is flagged before
their first in-person session (or a grace period when none is scheduled)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses import services
from courses.models import Enrollment
from tests.factories import make_user


def flags(cohort, today):
    matrix = services.cohort_matrix(cohort, today=today)
    return {row.enrollment.user.username: row.behind for row in matrix.rows}


@pytest.fixture
def midway(people):
    """Cohort A is halfway through; Alice and Bob joined on day one and met on day two."""
    today = timezone.localdate()
    people.cohort_a.starts_on = today - timedelta(days=10)
    people.cohort_a.ends_on = today + timedelta(days=10)
    people.cohort_a.save()
    people.cohort_a.enrollments.update(enrolled_at=timezone.now() - timedelta(days=10))
    people.session_a.starts_at = timezone.now() - timedelta(days=9)
    people.session_a.save()
    return today


@pytest.mark.django_db
def test_it_does_not_flag_a_trainee_enrolled_today(people, midway):
    dora = make_user("dora", "受講者")
    services.enrol(dora, people.course, cohort=people.cohort_a, by=people.tom)
    assert flags(people.cohort_a, midway) == {"alice": True, "bob": True, "dora": False}


@pytest.mark.django_db
def test_it_waits_for_a_late_joiners_first_session(people, midway):
    dora = make_user("dora", "受講者")
    services.enrol(dora, people.course, cohort=people.cohort_a, by=people.tom)
    Enrollment.objects.filter(user=dora).update(enrolled_at=timezone.now() - timedelta(days=4))
    # The only session was before Dora joined and no other is scheduled: two weeks of grace.
    assert flags(people.cohort_a, midway)["dora"] is False
    assert flags(people.cohort_a, midway + timedelta(days=11))["dora"] is True

    # A session after she joined ends the grace the day after it.
    people.cohort_a.sessions.create(
        title="演習", starts_at=timezone.now() + timedelta(days=2), place="会議室", hours=2
    )
    assert flags(people.cohort_a, midway + timedelta(days=2))["dora"] is False
    assert flags(people.cohort_a, midway + timedelta(days=3))["dora"] is True


@pytest.mark.django_db
def test_it_measures_a_late_joiner_from_their_own_first_day(people, midway):
    dora = make_user("dora", "受講者")
    services.enrol(dora, people.course, cohort=people.cohort_a, by=people.tom)
    Enrollment.objects.filter(user=dora).update(enrolled_at=timezone.now() - timedelta(days=4))
    people.cohort_a.sessions.create(
        title="演習", starts_at=timezone.now() - timedelta(days=3), place="会議室", hours=2
    )
    # Four of her fourteen days have passed: 51 of 180 minutes are expected, 80% is 41.
    services.complete_lesson(dora, people.lessons[0])
    services.complete_lesson(dora, people.lessons[1])
    assert flags(people.cohort_a, midway)["dora"] is False
    # The cohort's pace from its own start (90 minutes) would have flagged her.
    assert services.cohort_matrix(people.cohort_a, today=midway).expected_minutes == 90


@pytest.mark.django_db
def test_it_flags_nobody_before_the_cohorts_first_session(people):
    today = timezone.localdate()
    people.cohort_a.starts_on = today - timedelta(days=10)
    people.cohort_a.ends_on = today + timedelta(days=10)
    people.cohort_a.save()
    people.cohort_a.enrollments.update(enrolled_at=timezone.now() - timedelta(days=10))
    people.session_a.starts_at = timezone.now() + timedelta(days=1)
    people.session_a.save()
    assert flags(people.cohort_a, today) == {"alice": False, "bob": False}
