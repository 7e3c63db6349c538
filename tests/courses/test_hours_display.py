"""Totals read in hours with one decimal; single ledger lines stay in minutes."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import HoursEntry, as_hours


def test_it_rounds_totals_down_to_one_decimal():
    assert [str(as_hours(m)) for m in (0, 30, 45, 90, 2219, 2220)] == [
        "0.0",
        "0.5",
        "0.7",
        "1.5",
        "36.9",  # 36.98 hours must not read as the 37 a course requires
        "37.0",
    ]
    rendered = Template("{% load yorisoi_hours %}{{ 2219|hours }}").render(Context())
    assert rendered == "36.9"


@pytest.mark.django_db
def test_it_shows_ledger_totals_in_hours_and_lines_in_minutes(client, people):
    services.complete_lesson(people.alice, people.lessons[0])
    client.force_login(people.alice)
    html = client.get(reverse("my_hours", args=[people.course.pk])).content.decode()
    assert re.search(r'class="course-hours"[^>]*>[^<]*0\.5\b', html)
    assert "3.0" in html  # the course's 3 required hours
    assert "+30" in html  # the line itself
    assert "180" not in html  # no total in minutes


@pytest.mark.django_db
def test_it_shows_the_dashboard_pace_in_hours(client, people):
    today = timezone.localdate()
    people.cohort_a.starts_on = today - timedelta(days=10)
    people.cohort_a.ends_on = today + timedelta(days=10)
    people.cohort_a.save()
    client.force_login(people.tom)
    html = client.get(reverse("cohort_dashboard", args=[people.cohort_a.pk])).content.decode()
    assert "1.5" in html  # 90 of 180 minutes expected by today
    assert "90 minutes" not in html and "90 分" not in html and "90分" not in html


@pytest.mark.django_db
def test_it_exports_hours_with_one_decimal(client, people):
    services.complete_lesson(people.alice, people.lessons[0])
    services.complete_lesson(people.alice, people.lessons[1])
    services.credit_practice(
        people.alice,
        audience="home_visitor",
        started_at=timezone.now() - timedelta(minutes=20),
        ended_at=timezone.now(),
        reason="練習",
        by=people.alice,
    )
    client.force_login(people.tom)
    response = client.get(reverse("cohort_export", args=[people.cohort_a.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    alice = dict(zip(rows[0], next(row for row in rows if "alice@example.org" in row), strict=True))
    hours = {key: value for key, value in alice.items() if re.fullmatch(r"\d+\.\d", value)}
    assert sorted(hours.values()) == ["0.3", "1.0", "3.0"]  # practice, course, required


@pytest.mark.django_db
def test_it_keeps_the_ledger_columns_when_the_correction_form_opens(client, people):
    services.complete_lesson(people.alice, people.lessons[0])
    entry = HoursEntry.objects.get(user=people.alice)
    client.force_login(people.tom)
    url = reverse("correct_entry", args=[entry.pk])
    response = client.post(url, {"minutes": "30", "reason": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    # The form sits in a row of its own across the whole table, so it cannot widen a column
    # and push the others off a phone screen.
    row = re.search(rf'<tr[^>]*id="correct-{entry.pk}"[^>]*>\s*<td colspan="(\d+)"', html)
    assert row, html
    header_cells = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1).count("<th")
    assert int(row.group(1)) == header_cells
    assert f'action="{url}"' in html
    # On a phone the lines are cards (site.css, table.records), so every field stays on screen.
    assert 'class="records ledger"' in html
