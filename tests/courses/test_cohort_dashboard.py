import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import (
    Attendance,
    Cohort,
    Enrollment,
    HoursEntry,
    HoursSource,
    LessonCompletion,
)
from tests.conftest import build_course, make_user


@pytest.mark.django_db
def test_it_shows_the_progress_matrix(client, people):
    services.complete_lesson(people.alice, people.lessons[0])
    services.complete_lesson(people.alice, people.lessons[2])
    services.record_attendance(
        people.session_a,
        {people.alice.pk: "present", people.bob.pk: "absent"},
        by=people.tom,
    )
    matrix = services.cohort_matrix(people.cohort_a)
    rows = {row.enrollment.user: row for row in matrix.rows}
    alice, bob = rows[people.alice], rows[people.bob]
    assert alice.cells == [(1, 2), (1, 2)]
    assert alice.credited_minutes == 60 + 120
    assert (alice.attendance_rate, bob.attendance_rate) == (100, 0)
    assert bob.cells == [(0, 2), (0, 2)]

    client.force_login(people.tom)
    html = client.get(reverse("cohort_dashboard", args=[people.cohort_a.pk])).content.decode()
    assert "有田 愛" in html and "1/2" in html and "近藤" not in html


@pytest.mark.django_db
def test_it_flags_trainees_behind_the_cohorts_pace(people):
    today = timezone.localdate()
    # Halfway through the cohort: 90 of 180 minutes are expected, 80% of that is 72.
    people.cohort_a.starts_on = today - timedelta(days=10)
    people.cohort_a.ends_on = today + timedelta(days=10)
    people.cohort_a.save()
    for lesson in people.lessons[:3]:
        services.complete_lesson(people.alice, lesson)
    services.complete_lesson(people.bob, people.lessons[0])
    matrix = services.cohort_matrix(people.cohort_a, today=today)
    assert matrix.expected_minutes == 90
    behind = {row.enrollment.user.username: row.behind for row in matrix.rows}
    assert behind == {"alice": False, "bob": True}


@pytest.mark.django_db
def test_it_exports_the_same_matrix_as_csv(client, people):
    services.complete_lesson(people.alice, people.lessons[0])
    client.force_login(people.tom)
    response = client.get(reverse("cohort_export", args=[people.cohort_a.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][2:4] == ["第1章", "第2章"]
    alice = next(row for row in rows if row[1] == "alice@example.org")
    assert alice[:5] == ["有田 愛", "alice@example.org", "1/2", "0/2", "0.5"]
    assert len(rows) == 3


def populate(trainees, modules, lessons_per_module):
    """A cohort of the given size with completions, hours and attendance for everyone."""
    course = build_course(f"scale-{trainees}", modules, lessons_per_module, required_hours="37")
    trainer = make_user(f"trainer-{trainees}", "研修担当")
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course, name="第1期", starts_on=today - timedelta(days=5), ends_on=today
    )
    cohort.trainers.add(trainer)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"u{trainees}-{i}", last_name=f"受講{i}") for i in range(trainees)
    )
    Enrollment.objects.bulk_create(Enrollment(user=u, course=course, cohort=cohort) for u in users)
    lessons = list(course.lessons())
    LessonCompletion.objects.bulk_create(
        LessonCompletion(user=u, lesson=lesson)
        for i, u in enumerate(users)
        for lesson in lessons[: i % len(lessons)]
    )
    HoursEntry.objects.bulk_create(
        HoursEntry(user=u, course=course, minutes=30, source=HoursSource.LESSON, lesson=lesson)
        for i, u in enumerate(users)
        for lesson in lessons[: i % len(lessons)]
    )
    session = cohort.sessions.create(
        title="講義", starts_at=timezone.now(), place="会議室", hours=2
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, user=u, status="present" if i % 3 else "absent")
        for i, u in enumerate(users)
    )
    return cohort, trainer


def count_dashboard_queries(client, cohort, trainer):
    client.force_login(trainer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cohort_dashboard", args=[cohort.pk]))
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.django_db
def test_it_renders_300_trainees_by_60_lessons_in_as_many_queries_as_3_by_4(client, people):
    small, small_trainer = populate(trainees=3, modules=2, lessons_per_module=2)
    large, large_trainer = populate(trainees=300, modules=6, lessons_per_module=10)
    small_count, _ = count_dashboard_queries(client, small, small_trainer)
    large_count, response = count_dashboard_queries(client, large, large_trainer)
    assert large_count == small_count
    assert response.content.decode().count("<tr") == 301
