"""Peer practice: the observer's scores are recorded once, by a named observer, and only they
credit the practice time; the learner's own "end" never does."""

from datetime import timedelta

import pytest

from courses.models import HoursEntry
from roleplay import services
from roleplay.debrief import debrief_of
from roleplay.models import Mode, PracticeSession, SessionScore

SCORES = {"empathy": {"level": 3, "evidence": ["「大変でしたね」"], "comment": "よく聴けていた"}}


@pytest.fixture
def session(people, scenario):
    session = services.start_session(people.alice, scenario, Mode.PEER)
    PracticeSession.objects.filter(pk=session.pk).update(
        started_at=session.started_at - timedelta(minutes=20)
    )
    session.refresh_from_db()
    return session


def test_it_records_who_scored_and_shows_it(people, session):
    services.record_peer_scores(session, people.bob, SCORES, "")
    assert session.scores.get().scorer == people.bob
    assert debrief_of(session)["scorer"] == "坂井 望"


def test_it_refuses_a_second_observer_submission(people, session):
    services.record_peer_scores(session, people.bob, SCORES, "")
    with pytest.raises(services.PracticeError) as caught:
        services.record_peer_scores(session, people.charlie, SCORES, "二人目")
    assert caught.value.code == "ended"
    assert "坂井 望" in caught.value.message
    assert SessionScore.objects.filter(session=session).count() == 1


def test_it_refuses_scores_once_the_learner_has_ended(people, session):
    services.end_session(session)
    with pytest.raises(services.PracticeError) as caught:
        services.record_peer_scores(session, people.bob, SCORES, "")
    assert caught.value.code == "ended"
    assert not session.scores.exists()


def test_it_credits_peer_practice_for_the_observers_scores(people, session):
    services.record_peer_scores(session, people.bob, SCORES, "")
    assert session.hours_entry is not None
    assert session.hours_entry.user == people.alice
    assert session.hours_entry.minutes == 20


def test_it_never_credits_peer_practice_the_learner_ended(people, session):
    services.end_session(session)
    assert session.hours_entry is None
    assert not HoursEntry.objects.filter(user=people.alice).exists()
