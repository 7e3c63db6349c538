"""The queue of role-plays to review: ended sessions of the trainer's own trainees, newest
first, without those the trainer already reviewed; filters by scenario and by who reviewed."""

import pytest
from django.urls import reverse

from assessments import review
from roleplay.models import SessionStatus
from tests.assessments.reviewing import ended_session, judged
from tests.factories import build_scenario


@pytest.fixture
def sessions(people, scenario):
    """Alice's two sessions and Bob's (cohort A), Charlie's (cohort B), one still active."""
    other = build_scenario("second-visit", title="二回目の訪問")
    people.older = ended_session(people.alice, scenario, minutes_ago=30)
    people.newer = ended_session(people.alice, other, minutes_ago=5)
    people.bobs = ended_session(people.bob, scenario, minutes_ago=10)
    people.charlies = ended_session(people.charlie, scenario, minutes_ago=1)
    people.active = ended_session(people.bob, scenario, status=SessionStatus.ACTIVE)
    return people


def listed(user, **filters):
    return list(review.review_queue(user, **filters))


@pytest.mark.django_db
def test_it_lists_the_ended_sessions_of_the_trainers_cohorts_newest_first(sessions):
    p = sessions
    assert listed(p.tom) == [p.newer, p.bobs, p.older]
    assert listed(p.tina) == [p.charlies]
    assert listed(p.ada) == [p.charlies, p.newer, p.bobs, p.older]
    assert listed(p.alice) == []


@pytest.mark.django_db
def test_it_leaves_out_what_the_trainer_reviewed_and_filters_by_reviewer(sessions):
    p = sessions
    judged(p.older, "trainer", {"empathy": 3}, by=p.tom)
    judged(p.bobs, "trainer", {"empathy": 2}, by=p.ada)
    judged(p.bobs, "heuristic", {"empathy": 2})
    assert listed(p.tom) == [p.newer, p.bobs]
    assert listed(p.tom, state="unreviewed") == [p.newer]
    assert listed(p.tom, state="reviewed") == [p.bobs]
    assert listed(p.tom, state="mine") == [p.older]
    assert listed(p.ada, state="mine") == [p.bobs]


@pytest.mark.django_db
def test_it_filters_by_scenario(client, sessions):
    p = sessions
    assert listed(p.tom, scenario="second-visit") == [p.newer]
    client.force_login(p.tom)
    page = client.get(reverse("assessments:reviews"), {"scenario": "test-visit"}).content.decode()
    assert reverse("assessments:review", args=[p.older.pk]) in page
    assert reverse("assessments:review", args=[p.newer.pk]) not in page
    assert '<option value="second-visit">二回目の訪問</option>' in page


@pytest.mark.django_db
def test_it_keeps_the_filters_across_pages(client, people, scenario, monkeypatch):
    monkeypatch.setattr("assessments.review_views.QUEUE_PAGE_SIZE", 1)
    for minutes in (1, 2):
        ended_session(people.alice, scenario, minutes_ago=minutes)
    client.force_login(people.tom)
    page = client.get(reverse("assessments:reviews"), {"state": "unreviewed"}).content.decode()
    assert "?state=unreviewed&amp;page=2" in page


@pytest.mark.django_db
def test_it_says_when_there_is_nothing_to_review(client, people):
    client.force_login(people.tom)
    english = {"accept-language": "en"}
    page = client.get(reverse("assessments:reviews"), headers=english).content.decode()
    assert "Nothing to review" in page
    mine = {"state": "mine"}
    page = client.get(reverse("assessments:reviews"), mine, headers=english).content.decode()
    assert "No practice sessions match these filters." in page
