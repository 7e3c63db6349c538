"""Property tests of the roster import: whatever bytes a trainer uploads, the check ends in rows
or in a list of clear problems, never in an exception."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from courses.forms import RosterForm
from courses.services import RosterReport, parse_roster

CELLS = [
    "氏名",
    "メールアドレス",
    "name",
    "email",
    "山田 花子",
    "hanako@example.org",
    "HANAKO@EXAMPLE.ORG",
    "not-an-email",
    "",
    " ",
    '"quoted, with comma"',
    '"unterminated',
    "a\rb",
    "x" * 200,
    "\ufeff氏名",
]
csv_texts = st.lists(
    st.lists(st.one_of(st.sampled_from(CELLS), st.text(max_size=12)), max_size=4).map(",".join),
    max_size=8,
).flatmap(lambda rows: st.sampled_from(["\n", "\r\n", "\r"]).map(lambda end: end.join(rows)))
uploads = st.one_of(
    st.binary(max_size=200),
    csv_texts.map(lambda text: text.encode("utf-8")),
    csv_texts.map(lambda text: text.encode("utf-16")),
    csv_texts.map(lambda text: text.encode("shift_jis", errors="replace")),
)


def check(cohort, raw: bytes):
    """The roster page's check: the form reads the upload, then the rows are checked."""
    form = RosterForm(data={}, files={"file": SimpleUploadedFile("roster.csv", raw)})
    if not form.is_valid():
        return form.errors
    return parse_roster(cohort, form.cleaned_data["text"])


@pytest.mark.django_db
@settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(uploads)
@example(b"name,email\r\xe5\xb1\xb1\xe7\x94\xb0,a@example.org\r")
@example(b'name,email\n"never closed,a@example.org\n')
@example(b"\x00\x00name,email")
def test_it_checks_any_upload_into_rows_or_clear_problems(people, raw):
    result = check(people.cohort_a, raw)
    if isinstance(result, RosterReport):
        assert result.rows or result.errors
        problems = result.errors + [e for row in result.rows for e in row.errors]
        assert all(isinstance(problem, str) and problem for problem in problems)
        assert all(row.line >= 2 for row in result.rows)
    else:
        assert result  # the form's own errors: empty, too large or not UTF-8


@pytest.mark.django_db
def test_it_reads_a_roster_with_old_mac_line_ends(people):
    report = parse_roster(people.cohort_a, "氏名,メールアドレス\r山田 花子,hanako@example.org\r")
    assert report.ok
    assert [(row.name, row.email) for row in report.rows] == [("山田 花子", "hanako@example.org")]


@pytest.mark.django_db
def test_it_reports_a_cell_too_large_to_read_with_its_line(people):
    text = (
        "氏名,メールアドレス\n山田 花子,hanako@example.org\n" + "x" * 200_000 + ",a@example.org\n"
    )
    with translation.override("en"):
        report = parse_roster(people.cohort_a, text)
    assert report.rows == []
    assert report.errors and report.errors[0].startswith("Line 3:")
