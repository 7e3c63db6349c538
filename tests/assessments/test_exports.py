"""The CSV exports a municipality asks for: per cohort and period, Excel-friendly, every cell
neutralised, and a clear page instead of an empty download."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import registry
from courses import services
from courses.models import Attendance, AttendanceStatus, HoursEntry, HoursSource
from tests.assessments.map_builders import answered, certificate, two_question_quiz
from tests.factories import make_user
from yorisoi.roles import COORDINATOR

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
EVIL = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def world(people):
    people.carol = make_user("carol", COORDINATOR)
    people.alice.last_name = EVIL
    people.alice.save()
    people.today = timezone.localdate()
    return people


def query(cohort, kind, first, last):
    return {
        "cohort": cohort.pk,
        "kind": kind,
        "date_from": first.isoformat(),
        "date_to": last.isoformat(),
    }


def rows_of(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def export(world, kind, first=None, last=None):
    first = first or world.today - timedelta(days=30)
    last = last or world.today
    return registry.municipality_export(world.cohort_a, kind, first, last)


def test_it_lists_participants_with_names_neutralised(client, world):
    client.force_login(world.tom)

    response = client.get(
        reverse("assessments:exports"),
        query(world.cohort_a, "participants", world.today, world.today),
        **EN,
    )
    rows = rows_of(response)

    assert response["Content-Type"].startswith("text/csv")
    assert rows[0] == ["Name", "Course", "Cohort", "Enrolled on"]
    names = [row[0] for row in rows[1:]]
    assert names == sorted(names) and len(names) == 2
    assert any(name.startswith("'=HYPERLINK(") for name in names)
    assert not any(name.startswith("=") for row in rows for name in row)


def test_it_leaves_out_participants_of_a_cohort_outside_the_period(world):
    long_ago = world.today - timedelta(days=400)

    assert export(world, "participants", long_ago, long_ago + timedelta(days=5)).rows == []


def _credit(user, course, minutes, source, day_offset):
    return HoursEntry.objects.create(
        user=user,
        course=course,
        minutes=minutes,
        source=source,
        created_at=timezone.now() - timedelta(days=day_offset),
    )


def test_it_reports_course_hours_and_practice_apart_within_the_period(world):
    _credit(world.bob, world.course, 90, HoursSource.SESSION, 1)
    _credit(world.bob, world.course, 30, HoursSource.ROLEPLAY, 1)
    _credit(world.bob, world.course, 600, HoursSource.SESSION, 60)  # before the period
    _credit(world.charlie, world.course, 60, HoursSource.SESSION, 1)  # another cohort

    result = export(world, "hours", world.today - timedelta(days=7))

    assert [[str(cell) for cell in row] for row in result.rows] == [["坂井 望", "1.5", "0.5"]]


def test_it_reports_attendance_of_sessions_in_the_period(world):
    services.record_attendance(
        world.session_a,
        {world.alice.pk: AttendanceStatus.PRESENT, world.bob.pk: AttendanceStatus.ABSENT},
        by=world.tom,
    )
    assert Attendance.objects.count() == 2

    inside = export(world, "attendance")
    outside = export(
        world, "attendance", world.today + timedelta(days=1), world.today + timedelta(days=2)
    )

    assert len(inside.rows) == 2
    assert {row[4] for row in inside.rows} == {"出席", "欠席"} or len(
        {row[4] for row in inside.rows}
    ) == 2
    assert outside.rows == []


def test_it_reports_each_trainees_best_exam_attempt(world):
    exam = two_question_quiz("export-exam", course=world.course, kind="exam", attempts_allowed=0)
    answered(world.bob, exam, right=set())
    answered(world.bob, exam, right={"q1"})
    best = answered(world.bob, exam, right={"q1", "q2"})

    result = export(world, "exams")

    assert len(result.rows) == 1
    name, title, score, max_score, passed, day = result.rows[0]
    assert (name, str(score), str(max_score)) == ("坂井 望", "2.00", "2.00")
    assert passed == _("yes")
    assert day == timezone.localdate(best.submitted_at).isoformat()


def test_it_reports_certificates_issued_in_the_period(world):
    certificate(world.bob, world.course, "YH-2026-0001", cohort=world.cohort_a)
    certificate(world.charlie, world.course, "YH-2026-0002")  # cohort B
    old = world.today - timedelta(days=90)
    certificate(world.alice, world.course, "YH-2025-0001", issued_on=old, revoked=True)

    result = export(world, "certificates", world.today - timedelta(days=7))

    assert [row[1] for row in result.rows] == ["YH-2026-0001"]


def test_it_says_there_is_no_data_instead_of_an_empty_download(client, world):
    client.force_login(world.tom)

    response = client.get(
        reverse("assessments:exports"),
        query(world.cohort_a, "certificates", world.today, world.today),
        **EN,
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "No data for this period" in response.content.decode()


def test_it_refuses_a_period_that_ends_before_it_starts(client, world):
    client.force_login(world.tom)

    response = client.get(
        reverse("assessments:exports"),
        query(world.cohort_a, "hours", world.today, world.today - timedelta(days=1)),
        **EN,
    )

    assert response.status_code == 400
    assert "The end of the period must be on or after its start." in response.content.decode()


def test_it_offers_only_the_cohorts_the_trainer_runs(client, world):
    client.force_login(world.tina)

    response = client.get(
        reverse("assessments:exports"),
        query(world.cohort_a, "participants", world.today, world.today),
        **EN,
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_it_shows_the_form_on_first_visit(client, world):
    client.force_login(world.ada)

    response = client.get(reverse("assessments:exports"), **EN)

    assert response.status_code == 200
    assert world.cohort_a.name in response.content.decode()


EXPORTERS = {"tom": 200, "tina": 200, "ada": 200}
REFUSED = {"alice": 403, "bob": 403, "charlie": 403, "carol": 403}


@pytest.mark.parametrize("name, status", sorted((EXPORTERS | REFUSED).items()))
def test_it_lets_trainers_and_admins_export(client, world, name, status):
    client.force_login(getattr(world, name))

    assert client.get(reverse("assessments:exports")).status_code == status


def test_it_sends_anonymous_visitors_to_log_in(client, world):
    response = client.get(reverse("assessments:exports"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_counts_days_in_the_site_time_zone(world):
    midnight = timezone.make_aware(datetime.combine(world.today, datetime.min.time()))
    HoursEntry.objects.create(
        user=world.bob,
        course=world.course,
        minutes=60,
        source=HoursSource.SESSION,
        created_at=midnight,
    )

    assert export(world, "hours", world.today, world.today).rows
    assert not export(
        world, "hours", world.today - timedelta(days=1), world.today - timedelta(days=1)
    ).rows
