import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import services
from tests.factories import populate_cohort


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
    # Both joined on the first day and have had their first session since.
    people.cohort_a.enrollments.update(enrolled_at=timezone.now() - timedelta(days=10))
    people.session_a.starts_at = timezone.now() - timedelta(days=9)
    people.session_a.save()
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
    assert [re.split("[:：]", cell)[0] for cell in rows[0][2:6]] == ["第1章"] * 2 + ["第2章"] * 2
    alice = next(row for row in rows if row[1] == "alice@example.org")
    # Done and total in their own columns: Excel reads "1/2" as a date.
    assert alice[:7] == ["有田 愛", "alice@example.org", "1", "2", "0", "2", "0.5"]
    assert len(rows) == 3


def count_dashboard_queries(client, cohort, trainer):
    client.force_login(trainer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cohort_dashboard", args=[cohort.pk]))
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.django_db
def test_it_renders_300_trainees_by_60_lessons_in_as_many_queries_as_3_by_4(client, people):
    small, small_trainer = populate_cohort(trainees=3, modules=2, lessons_per_module=2)
    large, large_trainer = populate_cohort(trainees=300, modules=6, lessons_per_module=10)
    small_count, _ = count_dashboard_queries(client, small, small_trainer)
    large_count, response = count_dashboard_queries(client, large, large_trainer)
    assert 0 < large_count == small_count
    assert response.content.decode().count("<tr") == 301
