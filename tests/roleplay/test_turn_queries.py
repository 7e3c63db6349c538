"""A role-play turn reads and writes a fixed, small number of rows, however long the session.

Counts, not timings (bench/roleplay.py times the turns). A turn reads its last turn once, for
the next index, the pending reply and the in-progress check together; the AI partner reads the
turns its prompt carries once, under the lock, and neither the session nor the reply is read
again to save it. Both turns of an exchange are written in one insert, with the session in one
update, and the turn limit reads the session's own count of learner turns.
"""

import json

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy.models import NoticeAcknowledgement
from privacy.notices import acknowledge
from tests.factories import build_scenario
from tests.fake_openai import Reply

pytestmark = pytest.mark.django_db

# Session, the user with their roles (middleware); then the turn, which reads the practice
# session once, under its lock.
SCRIPTED_TURN_QUERIES = 6
AI_TURN_QUERIES = 11


def statements(captured) -> int:
    """Queries, without transaction control (SQLite logs BEGIN and COMMIT, PostgreSQL not)."""
    return sum(
        1
        for query in captured.captured_queries
        if not query["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
    )


def play(client, mode, turns, fake=None) -> list[int]:
    acknowledge(get_user(client), NoticeAcknowledgement.PRACTICE)
    response = client.post(
        "/api/roleplay/sessions",
        json.dumps({"scenario": "loop", "mode": mode}),
        content_type="application/json",
    )
    url = f"/api/roleplay/sessions/{response.json()['id']}/turns"
    moves = ["listen"] + ["lecture", "repair"] * turns
    counts = []
    for n in range(turns):
        body = {"choice": moves[n]} if mode == "scripted" else {"text": f"{n}回目の発言です。"}
        if fake is not None:
            fake.stream(Reply("そうなんです……。"))
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 200, response.content
        assert not response.json()["pending"]
        counts.append(statements(captured))
    return counts


@pytest.fixture
def loop(course):
    return build_scenario("loop", turn_limit=100)


def test_it_takes_a_scripted_turn_in_the_same_few_queries_at_turn_2_and_turn_30(
    client, people, loop
):
    client.force_login(people.alice)
    counts = play(client, "scripted", 30)
    assert counts[1] == counts[-1] == SCRIPTED_TURN_QUERIES, counts


def test_it_takes_an_ai_partner_turn_in_the_same_few_queries_at_turn_2_and_turn_30(
    client, people, loop, fake_llm, settings
):
    settings.YORISOI_ROLEPLAY_DAILY_TURNS = 1000
    client.force_login(people.alice)
    counts = play(client, "llm", 30, fake_llm)
    assert counts[1] == counts[-1] == AI_TURN_QUERIES, counts
