"""The daily AI-partner quota is kept in one row per learner and day: reserved before a reply,
settled to what the reply really cost, and always equal to what the day's transcripts hold."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roleplay import services
from roleplay.models import AIUsage, Mode, Speaker, Turn
from tests.fake_openai import Reply

SAID = "今日はお話を聞かせてください。"
backfill = importlib.import_module("roleplay.migrations.0005_ai_usage").count_ai_usage


@pytest.fixture
def session(people, scenario, fake_llm):
    return services.start_session(people.alice, scenario, Mode.LLM)


def take_turn(session, text=SAID):
    submitted = services.submit(session, text=text)
    list(submitted.reply)
    return submitted.reply.turn


def from_transcripts(user) -> dict:
    """What the quota summed before the row was kept: the user's AI turns and tokens."""
    spent = Turn.objects.filter(session__user=user, session__mode=Mode.LLM).aggregate(
        turns=Count("pk", filter=Q(speaker=Speaker.LEARNER)),
        tokens=Sum("prompt_tokens") + Sum("completion_tokens"),
    )
    return {"turns": spent["turns"], "tokens": spent["tokens"] or 0}


def usage_of(user) -> dict:
    row = AIUsage.objects.get(user=user, day=timezone.localdate())
    return {"turns": row.turns, "tokens": row.tokens}


def test_it_settles_each_reply_to_the_tokens_really_spent(people, session, fake_llm):
    fake_llm.stream(Reply("ありがとうございます。"), Reply("そうなんです。"))
    take_turn(session)
    take_turn(session, "夜はどうされていますか。")
    assert usage_of(people.alice)["turns"] == 2
    assert usage_of(people.alice) == from_transcripts(people.alice)


def test_it_counts_a_failed_reply_and_its_retry_as_the_transcript_does(people, session, fake_llm):
    fake_llm.stream(Reply(status=500), Reply(status=503))
    submitted = services.submit(session, text=SAID)
    list(submitted.reply)
    assert submitted.reply.turn.pending
    fake_llm.stream(Reply("お待たせしました。"))
    retried = services.retry(session)
    list(retried)
    assert not retried.turn.pending
    assert usage_of(people.alice) == from_transcripts(people.alice)
    assert usage_of(people.alice)["turns"] == 1  # asking again is not another turn


def test_it_holds_the_reservation_until_the_reply_settles(people, session, fake_llm):
    submitted = services.submit(session, text=SAID)
    reserved = usage_of(people.alice)["tokens"]
    assert reserved == from_transcripts(people.alice)["tokens"] > 0
    submitted.reply.close()
    assert usage_of(people.alice)["tokens"] < reserved


def test_it_settles_a_reply_that_ends_after_midnight_on_the_day_it_was_reserved(
    people, session, fake_llm, monkeypatch
):
    submitted = services.submit(session, text=SAID)
    today = timezone.localdate()
    monkeypatch.setattr(services.timezone, "localdate", lambda: today + timedelta(days=1))
    list(submitted.reply)
    row = AIUsage.objects.get(user=people.alice)
    assert row.day == today
    assert {"turns": row.turns, "tokens": row.tokens} == from_transcripts(people.alice)


def test_it_leaves_the_day_untouched_when_a_turn_is_refused(people, session, fake_llm, settings):
    take_turn(session)
    before = usage_of(people.alice)
    settings.YORISOI_ROLEPLAY_DAILY_TURNS = 1
    with pytest.raises(services.PracticeError):
        services.submit(session, text="もう一度")
    assert usage_of(people.alice) == before


def test_it_reads_only_todays_row_however_long_the_history(people, session, fake_llm, settings):
    yesterday = timezone.localdate() - timedelta(days=1)
    AIUsage.objects.create(user=people.alice, day=yesterday, turns=10_000, tokens=10**9)
    take_turn(session)  # yesterday's use does not count today
    AIUsage.objects.filter(day=timezone.localdate()).update(turns=3)
    settings.YORISOI_ROLEPLAY_DAILY_TURNS = 3
    with pytest.raises(services.PracticeError) as caught:
        services.submit(session, text="もう一度")
    assert caught.value.code == "quota"


def test_it_reads_no_other_transcript_to_check_the_quota(people, session, fake_llm):
    # Summing the day's turns joined every AI session the learner ever had: the check cost
    # more the longer their history, on every turn.
    with CaptureQueriesContext(connection) as captured:
        take_turn(session)
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and '"roleplay_turn"' in q["sql"]
    ]
    assert reads
    assert all(f'"roleplay_turn"."session_id" = {session.pk}' in sql for sql in reads), reads


def test_it_fills_the_rows_from_the_transcripts_of_older_sessions(people, session, fake_llm):
    take_turn(session)
    take_turn(session, "夜はどうされていますか。")
    kept = usage_of(people.alice)
    last_week = timezone.now() - timedelta(days=7)
    Turn.objects.filter(index__lte=2).update(created_at=last_week)
    AIUsage.objects.all().delete()
    backfill(apps, None)
    days = {row.day: (row.turns, row.tokens) for row in AIUsage.objects.filter(user=people.alice)}
    assert sum(turns for turns, _ in days.values()) == kept["turns"] == 2
    assert sum(tokens for _, tokens in days.values()) == kept["tokens"]
    assert timezone.localtime(last_week).date() in days
