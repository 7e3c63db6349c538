"""Benchmark: server time of a role-play turn as the transcript grows to 100 turns.

Run with `.venv/bin/python bench/roleplay.py` (a throwaway SQLite database in a temp folder, or
the database DATABASE_URL names — it must be an empty scratch database). For each mode it plays
100 learner turns through the JSON API and reports, for turns 1–10 (the baseline) and 91–100 of
the same run, the median time and SQL queries per turn:

- scripted: the whole server time of the turn;
- AI partner: our overhead, i.e. the turn's server time minus the time spent waiting for the
  model (here the local fake OpenAI-compatible server from the tests, answering at once).
"""

import json
import statistics
import time

import scratch  # noqa: F401 - sets Django up on a scratch database
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roleplay import llm
from tests.factories import build_scenario, make_user
from tests.fake_openai import FakeOpenAI
from yorisoi.roles import TRAINEE, ensure_groups

TURNS = 100


class ModelClock:
    """Adds up the time spent inside model calls, so it can be taken out of the turn time."""

    def __init__(self):
        self.seconds = 0.0
        stream, structured = llm.stream_text, llm.structured

        def timed_stream(*args, **kwargs):
            generator = stream(*args, **kwargs)
            while True:
                start = time.perf_counter()
                try:
                    chunk = next(generator)
                except StopIteration as stop:
                    self.seconds += time.perf_counter() - start
                    return stop.value
                self.seconds += time.perf_counter() - start
                yield chunk

        def timed_structured(*args, **kwargs):
            start = time.perf_counter()
            try:
                return structured(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        llm.stream_text, llm.structured = timed_stream, timed_structured


def play(client, mode, clock=None):
    response = client.post(
        "/api/roleplay/sessions",
        json.dumps({"scenario": "bench-loop", "mode": mode}),
        content_type="application/json",
    )
    session = response.json()["id"]
    url = f"/api/roleplay/sessions/{session}/turns"
    # A loop in the script (tired ↔ defensive) keeps the conversation going for 100 turns.
    moves = ["listen"] + ["lecture", "repair"] * TURNS
    times, queries = [], []
    for n in range(TURNS):
        body = {"choice": moves[n]} if mode == "scripted" else {"text": f"{n}回目の発言です。"}
        model_before = clock.seconds if clock else 0.0
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post(url, json.dumps(body), content_type="application/json")
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.content
        assert not response.json()["pending"], response.content
        model = (clock.seconds - model_before) if clock else 0.0
        times.append((elapsed - model) * 1000)
        queries.append(len(captured))
    return times, queries


def summary(label, times, queries):
    first, last = times[:10], times[-10:]
    return (
        f"| {label} | {statistics.median(first):.1f} ms | {statistics.median(last):.1f} ms "
        f"| {statistics.median(queries[:10]):.0f} | {statistics.median(queries[-10:]):.0f} |"
    )


def main():
    call_command("migrate", verbosity=0)
    ensure_groups()
    user = make_user("bench", TRAINEE)
    build_scenario("bench-loop", turn_limit=1000)
    client = Client()
    client.force_login(user)

    scripted = play(client, "scripted")

    fake = FakeOpenAI().start()
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = fake.base_url, "bench"
    settings.YORISOI_LLM_MODEL, settings.YORISOI_ROLEPLAY_DAILY_TURNS = "fake", 10_000
    settings.YORISOI_ROLEPLAY_DAILY_TOKENS = 10_000_000
    clock = ModelClock()
    ai = play(client, "llm", clock)
    fake.stop()

    print(f"database: {connection.vendor}; {TURNS} learner turns per mode")
    print("| per turn | turns 1–10 (baseline) | turns 91–100 | queries 1–10 | queries 91–100 |")
    print("|---|---|---|---|---|")
    print(summary("scripted, server time", *scripted))
    print(summary("AI partner, our overhead", *ai))


if __name__ == "__main__":
    main()
