import random
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from courses import services
from courses.models import CREDITED_STATUSES, AttendanceStatus, HoursEntry


@pytest.fixture
def credited(people):
    services.complete_lesson(people.alice, people.lessons[0])
    return HoursEntry.objects.get(user=people.alice)


@pytest.mark.django_db
def test_it_corrects_an_entry_with_a_reason(client, people, credited):
    client.force_login(people.tom)
    response = client.post(
        reverse("correct_entry", args=[credited.pk]), {"minutes": "20", "reason": "途中退席のため"}
    )
    assert response.status_code == 302
    lines = list(HoursEntry.objects.filter(user=people.alice).values_list("source", "minutes"))
    assert lines == [("lesson", 30), ("correction", -10)]
    assert people.alice.enrollments.get().credited_minutes() == 20
    correction = HoursEntry.objects.get(source="correction")
    assert correction.corrects_id == credited.pk and correction.created_by == people.tom


@pytest.mark.django_db
def test_it_corrects_against_the_net_value(people, credited):
    services.correct_entry(credited, 20, "一回目", by=people.tom)
    services.correct_entry(credited, 45, "二回目", by=people.tom)
    assert people.alice.enrollments.get().credited_minutes() == 45


@pytest.mark.django_db
def test_it_requires_a_reason_and_a_change(client, people, credited):
    client.force_login(people.tom)
    url = reverse("correct_entry", args=[credited.pk])
    assert client.post(url, {"minutes": "20", "reason": ""}).status_code == 400
    assert client.post(url, {"minutes": "30", "reason": "同じ"}).status_code == 400
    assert client.post(url, {"minutes": "-5", "reason": "負"}).status_code == 400
    assert HoursEntry.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_corrections_outside_the_trainers_cohorts(client, people, credited):
    client.force_login(people.tina)
    response = client.post(
        reverse("correct_entry", args=[credited.pk]), {"minutes": "0", "reason": "不正"}
    )
    assert response.status_code == 404
    client.force_login(people.alice)
    assert (
        client.post(
            reverse("correct_entry", args=[credited.pk]), {"minutes": "90", "reason": "x"}
        ).status_code
        == 403
    )
    assert HoursEntry.objects.count() == 1


@pytest.mark.django_db
def test_it_shows_the_learner_their_ledger_line_by_line(client, people, credited):
    services.correct_entry(credited, 25, "記録の修正", by=people.tom)
    client.force_login(people.alice)
    html = client.get(reverse("my_hours", args=[people.course.pk])).content.decode()
    assert "記録の修正" in html and "+30" in html and "-5" in html
    assert re.search(r'class="course-hours">[^<]*0\.4\b', html)  # 25 minutes, in hours


# --- Attendance changes, corrections and the session's worth -------------------------------


def mark(people, status, user=None):
    services.record_attendance(people.session_a, {(user or people.alice).pk: status}, by=people.tom)


def session_lines(people):
    return HoursEntry.objects.filter(user=people.alice, session=people.session_a)


def session_net(people) -> int:
    return sum(session_lines(people).values_list("minutes", flat=True))


def session_credit(people) -> HoursEntry:
    return session_lines(people).get(corrects=None)


@pytest.mark.django_db
def test_it_refuses_to_correct_an_attendance_reversal(client, people):
    mark(people, "present")
    mark(people, "absent")
    reversal = session_lines(people).get(minutes=-120)
    client.force_login(people.tom)
    response = client.post(
        reverse("correct_entry", args=[reversal.pk]), {"minutes": "60", "reason": "半分出席"}
    )
    assert response.status_code == 400
    assert "correct the original credit line" in response.content.decode().lower() or (
        "元の" in response.content.decode()
    )
    with pytest.raises(services.RecordError):
        services.correct_entry(reversal, 60, "半分出席", by=people.tom)
    assert session_net(people) == 0
    assert people.alice.enrollments.get().credited_minutes() == 0


@pytest.mark.django_db
def test_it_labels_a_reversal_and_links_it_to_the_credit(people):
    with translation.override("en"):
        mark(people, "present")
        mark(people, "absent")
    credit = session_credit(people)
    reversal = session_lines(people).exclude(pk=credit.pk).get()
    assert reversal.reason == "Attendance changed to Absent"
    assert reversal.corrects == credit and reversal.is_reversal and not credit.is_reversal
    assert credit.net_minutes() == 0


@pytest.mark.django_db
def test_it_corrects_a_reversed_credit_against_its_net_value(people):
    mark(people, "present")
    mark(people, "excused")
    correction = services.correct_entry(session_credit(people), 60, "前半のみ出席", by=people.tom)
    assert correction.minutes == 60
    assert session_net(people) == 60


@pytest.mark.django_db
def test_it_reverses_the_corrected_value_not_the_original(people):
    mark(people, "present")
    services.correct_entry(session_credit(people), 60, "途中退席", by=people.tom)
    mark(people, "absent")
    assert session_net(people) == 0
    mark(people, "present")
    assert session_net(people) == 120
    assert session_lines(people).filter(corrects=None).count() == 1


@pytest.mark.django_db
def test_it_keeps_a_correction_when_attendance_moves_between_attended_statuses(people):
    mark(people, "present")
    services.correct_entry(session_credit(people), 60, "途中退席", by=people.tom)
    mark(people, "late")
    assert session_net(people) == 60


@pytest.mark.django_db
def test_it_never_credits_a_session_more_than_it_is_worth_unless_a_trainer_says_so(people):
    """Random attendance changes and corrections, checked against what each one means."""
    rng = random.Random(20261207)
    worth, expected, attended, trainer_says = people.session_a.minutes, 0, False, False
    for _step in range(80):
        if rng.random() < 0.65:
            status = rng.choice(AttendanceStatus.values)
            mark(people, status)
            now_attended = status in CREDITED_STATUSES
            if now_attended != attended:
                expected, trainer_says = (worth if now_attended else 0), False
            attended = now_attended
        else:
            line = rng.choice(list(session_lines(people)) or [None])
            if line is None:
                continue
            value = rng.choice([0, 30, 60, 90, 120, 150])
            try:
                services.correct_entry(line, value, "調整", by=people.tom)
            except services.RecordError:
                assert line.corrects_id is not None or line.net_minutes() == value
            else:
                assert line.corrects_id is None
                expected, trainer_says = value, True
        assert session_net(people) == expected
        assert 0 <= session_net(people) <= worth or trainer_says
        assert people.alice.enrollments.get().credited_minutes() == expected


# --- One door, and an audit trail -------------------------------------------------------------


@pytest.mark.django_db
def test_it_records_credits_corrections_and_reversals_in_the_audit_log(people):
    mark(people, "present")
    credit = session_credit(people)
    correction = services.correct_entry(credit, 90, "途中退席", by=people.tom)
    mark(people, "absent")
    reversal = session_lines(people).get(corrects=credit, source="session")
    actions = {
        entry.object_id: (entry.action, entry.user)
        for entry in ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(HoursEntry)
        )
    }
    assert actions == {
        str(credit.pk): ("yorisoi.hours.credit", people.tom),
        str(correction.pk): ("yorisoi.hours.correct", people.tom),
        str(reversal.pk): ("yorisoi.hours.reverse", people.tom),
    }
    labels = dict(log_registry.get_choices())
    for action in ("yorisoi.hours.credit", "yorisoi.hours.correct", "yorisoi.hours.reverse"):
        assert log_registry.action_exists(action) and str(labels[action])


# Ledger lines are written by Enrollment.credit alone; test data builders may write directly.
LEDGER_WRITE = re.compile(
    r"HoursEntry\.objects\.(bulk_create|create|get_or_create|update_or_create)\b"
    r"|hours_entries\.(create|get_or_create|update_or_create)\b"
    r"|\bHoursEntry\("
)


def test_it_writes_the_ledger_only_through_enrollment_credit():
    root = Path(settings.BASE_DIR)
    door = root / "courses" / "models.py"
    skipped = {".venv", "tests", "node_modules", ".git"}
    offenders = []
    for path in root.rglob("*.py"):
        if path == door or skipped & set(path.relative_to(root).parts):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if LEDGER_WRITE.search(line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []
