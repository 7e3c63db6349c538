"""Judging a stored practice session: its transcript as the judges read it."""

import pytest

from assessments.judges import assess, transcript_of
from assessments.judges.base import JudgeError
from assessments.rubrics import STANDARD
from roleplay.models import Mode, PracticeSession, Speaker, Turn
from tests.assessments.judging import transcript
from tests.factories import make_user
from yorisoi.roles import TRAINEE, ensure_groups


@pytest.fixture
def session(db):
    ensure_groups()
    session = PracticeSession.objects.create(
        user=make_user("alice", TRAINEE), scenario_data={}, mode=Mode.SCRIPTED
    )
    turns = [
        (Speaker.PERSONA, "夜泣きがつらくて。", {}),
        (Speaker.LEARNER, "つらいんですね。", {"choice": "listen"}),
        (Speaker.PERSONA, "はい。", {}),
        (Speaker.LEARNER, "もっと早く寝かせるべきです。", {"choice": "lecture", "matched": True}),
        (Speaker.PERSONA, "", {"pending": True}),
    ]
    Turn.objects.bulk_create(
        Turn(session=session, index=n, speaker=speaker, text=text, **extra)
        for n, (speaker, text, extra) in enumerate(turns)
    )
    return session


def test_it_reads_a_sessions_said_turns_with_their_numbers(session):
    turns = transcript_of(session).turns
    assert [(t.index, t.speaker) for t in turns] == [
        (0, "persona"),
        (1, "learner"),
        (2, "persona"),
        (3, "learner"),
    ]


def test_it_can_keep_only_what_the_learner_typed_in_a_scripted_session(session):
    turns = transcript_of(session, free_text_only=True).turns
    assert [t.index for t in turns] == [0, 2, 3]
    judgement = assess(transcript_of(session, free_text_only=True), STANDARD)
    assert [h.turn for h in judgement.scores["non_directive"].rules] == [3]


def test_it_refuses_an_unknown_judge():
    with pytest.raises(JudgeError) as caught:
        assess(transcript("こんにちは。"), STANDARD, judge="oracle")
    assert caught.value.code == "unknown_judge"
