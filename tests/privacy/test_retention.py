"""purge_transcripts removes role-play transcripts past the retention period."""

import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Judgement, TurnComment
from courses.models import HoursEntry
from roleplay.models import PracticeSession, SessionScore, Turn
from tests.privacy.builders import give_records


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_transcripts", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_and_new(people, scenario, settings):
    settings.YORISOI_TRANSCRIPT_RETENTION_DAYS = 30
    old, _attempt, _cert = give_records(people.alice, people, scenario)
    new, _attempt, _cert = give_records(people.bob, people, scenario)
    PracticeSession.objects.filter(pk=old.pk).update(
        last_activity_at=timezone.now() - timedelta(days=31)
    )
    TurnComment.objects.create(session=old, turn_index=1, author=people.tom, text="良い問いかけ")
    credit = people.alice.enrollments.get().credit(
        15, "roleplay", by=None, reason="練習", period=(old.started_at, old.ended_at)
    )
    PracticeSession.objects.filter(pk=old.pk).update(hours_entry=credit)
    return old, new


def test_it_changes_nothing_in_a_dry_run(old_and_new):
    output = purge("--dry-run")
    assert "1 sessions, 4 turns" in output
    assert Turn.objects.count() == 8


def test_it_removes_old_transcripts_and_keeps_scores_and_hours(old_and_new):
    old, new = old_and_new
    output = purge("--batch-size", "1")
    assert "removed 4 turns of 1 sessions" in output
    assert not Turn.objects.filter(session=old).exists()
    assert Turn.objects.filter(session=new).count() == 4
    assert not TurnComment.objects.filter(session=old).exists()
    old.refresh_from_db()
    assert old.hours_entry is not None and HoursEntry.objects.filter(pk=old.hours_entry_id).exists()
    score = SessionScore.objects.get(session=old).scores["empathy"]
    assert score["level"] == 3 and score["evidence"] == []
    judgement = Judgement.objects.get(session=old)
    assert judgement.passed is not None
    assert all(s["evidence"] == [] for s in judgement.result["scores"].values())
    assert SessionScore.objects.get(session=new).scores["empathy"]["evidence"]


def test_it_is_idempotent(old_and_new):
    purge()
    assert "removed 0 turns of 0 sessions" in purge()
    assert Turn.objects.count() == 4


def retention_days(**env) -> str:
    code = "import yorisoi.settings as s; print(s.YORISOI_TRANSCRIPT_RETENTION_DAYS)"
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", **env},
        timeout=60,
    ).stdout.strip()


def test_it_reads_the_retention_period_from_the_environment():
    assert retention_days() == str(365 * 3)
    assert retention_days(YORISOI_TRANSCRIPT_RETENTION_DAYS="90") == "90"
