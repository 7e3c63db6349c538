"""Two tabs or a double click: turns sent at once on one session, from real threads.

Exactly one is taken; the others are told a reply is on its way; the transcript stays whole.
The database is really shared between the threads, so these tests commit (transaction=True)
and restore the pages the migrations created afterwards (serialized_rollback).
"""

import pytest

from roleplay import services
from roleplay.models import AIUsage, Mode, PracticeSession, Speaker
from tests.threads import at_once

THREADS = 10
concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def send_at_once(session, **turn) -> tuple[list, list]:
    """Submit the same turn from THREADS threads released together; (accepted, refused)."""
    return submit_at_once(
        [PracticeSession.objects.get(pk=session.pk) for _ in range(THREADS)], **turn
    )


def submit_at_once(copies, **turn) -> tuple[list, list]:
    """Submit the turn to each session, from one thread each, released together."""
    calls = [lambda copy=copy: services.submit(copy, **turn) for copy in copies]
    accepted, failures = at_once(calls)
    assert all(isinstance(exc, services.PracticeError) for exc in failures), failures
    return accepted, [exc.code for exc in failures]


def assert_whole_transcript(session):
    turns = list(session.turns.order_by("index"))
    assert [t.index for t in turns] == list(range(len(turns)))
    speakers = [t.speaker for t in turns]
    for i, speaker in enumerate(speakers):
        if speaker == Speaker.LEARNER:
            assert speakers[i + 1] == Speaker.PERSONA
    assert not any(t.pending for t in turns)


@concurrent
def test_it_takes_one_of_ten_identical_choices(people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    accepted, refused = send_at_once(session, choice="listen")
    assert len(accepted) == 1
    assert refused == ["reply_in_progress"] * (THREADS - 1)
    session.refresh_from_db()
    assert session.node == "tired" and session.state == {"trust": 60}
    assert session.turns.count() == 3
    assert_whole_transcript(session)


@concurrent
def test_it_takes_one_of_ten_choices_sent_by_session_id_as_the_api_sends_them(people, scenario):
    session = services.start_session(people.alice, scenario, Mode.SCRIPTED)
    calls = [
        lambda: services.submit(session.pk, user=people.alice, choice="listen")
        for _ in range(THREADS)
    ]
    accepted, failures = at_once(calls)
    assert len(accepted) == 1
    assert [getattr(exc, "code", exc) for exc in failures] == ["reply_in_progress"] * (THREADS - 1)
    assert accepted[0].session.node == "tired"
    assert session.turns.count() == 3
    assert_whole_transcript(session)


@concurrent
def test_it_takes_one_of_ten_turns_sent_while_the_ai_partner_replies(people, scenario, fake_llm):
    session = services.start_session(people.alice, scenario, Mode.LLM)
    accepted, refused = send_at_once(session, text="今日はよろしくお願いします。")
    assert len(accepted) == 1
    assert refused == ["reply_in_progress"] * (THREADS - 1)
    # The accepted turn's reply is produced only now, after every other turn was answered.
    reply = accepted[0].reply.turn
    assert reply.text == "そうなんです……。" and not reply.pending
    assert session.turns.count() == 3
    assert_whole_transcript(session)


@concurrent
def test_it_lets_ten_tabs_of_one_learner_spend_only_what_is_left_of_today(
    people, scenario, fake_llm, settings
):
    # Ten sessions of one learner, each taking a turn at once, with three turns left today:
    # the day's row is locked by each reservation in turn, so exactly three get a reply.
    settings.YORISOI_ROLEPLAY_DAILY_TURNS = 3
    sessions = [services.start_session(people.alice, scenario, Mode.LLM) for _ in range(THREADS)]
    accepted, refused = submit_at_once(sessions, text="今日はよろしくお願いします。")
    assert len(accepted) == 3
    assert refused == ["quota"] * (THREADS - 3)
    for submitted in accepted:
        submitted.reply.close()
    assert AIUsage.objects.get(user=people.alice).turns == 3
