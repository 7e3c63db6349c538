"""Benchmark: server time of a role-play turn, and what the AI partner adds to the model's time.

Run with `.venv/bin/python bench/roleplay.py` (a scratch database: see bench/scratch.py). Turns go
through the JSON API with Django's test Client, for a signed-in trainee, on a scenario whose
script loops (tired ↔ defensive) so a conversation can last 100 learner turns.

- Scripted: the server time of each of 100 turns; turns 91–100 against turns 1–10 of the same
  session (the baseline): a turn must cost the same at turn 100 as at turn 1.
- AI partner: 100 typed turns against the local fake model (tests/fake_openai.py), which waits
  a fixed FIRST_TOKEN before its first token and CHUNK between chunks. The time spent inside the
  model calls (`llm.stream_text`, `llm.structured`: the client and the fake server) is measured
  in the same turn; the turn's time against that model time is the first figure, and the rest,
  our overhead, at turns 91–100 against turns 1–10 the second. The overhead is also given in
  CPU time of the thread serving the turn (the client, the view and SQLite run in it; the fake
  server and PostgreSQL do not): what is left of the overhead when waiting for the database
  is taken out. The CPU time the model client spends inside those calls (building the
  request, reading the stream) counts as the model's in the overhead, so it has a figure of
  its own: it is our server's CPU all the same, and it grew with the conversation.
- Streaming: STREAMED more typed turns with `Accept: text/event-stream`: the time from sending
  the turn to the first byte of the reply (the first `delta` event) against the time from the
  model call to the model's first token, measured in the same turn; the difference is our
  work before the learner sees a word.
"""

import json
import os
import time

# As in production, judging an ended session is queued for the worker, not done in the turn.
os.environ.setdefault("YORISOI_TASKS", "database")
import scratch  # noqa: E402 - after choosing how tasks run
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy.models import NoticeAcknowledgement
from privacy.notices import acknowledge
from roleplay import llm
from tests.factories import build_scenario, make_user
from tests.fake_openai import FakeOpenAI, Reply
from yorisoi.roles import TRAINEE, ensure_groups

TURNS = 100
STREAMED = 30
FIRST_TOKEN, CHUNK = 0.05, 0.005
LINE = "そうなんです……夜になると、なかなか眠れなくて。"


class ModelClock:
    """Times the model calls of each turn: all of it, and the wait for the first token."""

    def __init__(self):
        self.seconds = self.cpu = 0.0
        self.first_token: float | None = None
        stream, structured = llm.stream_text, llm.structured

        def timed_stream(*args, **kwargs):
            start = time.perf_counter()
            generator = stream(*args, **kwargs)
            while True:
                resumed, cpu = time.perf_counter(), time.thread_time()
                try:
                    chunk = next(generator)
                except StopIteration as stop:
                    self.seconds += time.perf_counter() - resumed
                    self.cpu += time.thread_time() - cpu
                    return stop.value
                now = time.perf_counter()
                self.seconds += now - resumed
                self.cpu += time.thread_time() - cpu
                if self.first_token is None:
                    self.first_token = now - start
                yield chunk

        def timed_structured(*args, **kwargs):
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return structured(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.cpu += time.thread_time() - cpu

        llm.stream_text, llm.structured = timed_stream, timed_structured

    def reset(self):
        self.seconds, self.cpu, self.first_token = 0.0, 0.0, None


def start(client, mode):
    response = client.post(
        "/api/roleplay/sessions",
        json.dumps({"scenario": "bench-loop", "mode": mode}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return f"/api/roleplay/sessions/{response.json()['id']}/turns"


def play(client, mode, fake=None, clock=None):
    """Per turn: (server time ms, model time ms, SQL queries, our CPU time ms, the model
    client's CPU time ms)."""
    url = start(client, mode)
    moves = ["listen"] + ["lecture", "repair"] * TURNS
    turns = []
    for n in range(TURNS):
        body = {"choice": moves[n]} if mode == "scripted" else {"text": f"{n}回目の発言です。"}
        if fake:
            fake.stream(Reply(LINE, delay=FIRST_TOKEN, chunk_delay=CHUNK))
            clock.reset()
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.thread_time()
            response = client.post(url, json.dumps(body), content_type="application/json")
            elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
        assert response.status_code == 200, response.content
        assert not response.json()["pending"], response.content
        model, model_cpu = (clock.seconds, clock.cpu) if clock else (0.0, 0.0)
        turns.append(
            (
                elapsed * 1000,
                model * 1000,
                scratch.statements(captured),
                (cpu - model_cpu) * 1000,
                model_cpu * 1000,
            )
        )
    return turns


def first_bytes(client, fake, clock):
    """Per streamed turn: (ms to the first reply byte, ms from model call to first token)."""
    url = start(client, "llm")
    found = []
    for n in range(STREAMED):
        fake.stream(Reply(LINE, delay=FIRST_TOKEN, chunk_delay=CHUNK))
        clock.reset()
        started = time.perf_counter()
        response = client.post(
            url,
            json.dumps({"text": f"{n}回目の発言です。"}),
            content_type="application/json",
            HTTP_ACCEPT="text/event-stream",
        )
        first = None
        for chunk in response.streaming_content:
            if first is None and chunk.startswith(b"event: delta"):
                first = time.perf_counter() - started
        response.close()
        assert first is not None and clock.first_token is not None
        found.append((first * 1000, clock.first_token * 1000))
    return found


def main():
    call_command("migrate", verbosity=0)
    ensure_groups()
    user = make_user("bench", TRAINEE)
    acknowledge(user, NoticeAcknowledgement.PRACTICE)
    build_scenario("bench-loop", turn_limit=TURNS)
    client = scratch.signed_in(user)

    scripted = play(client, "scripted")

    fake = FakeOpenAI().start()
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = fake.base_url, "bench"
    settings.YORISOI_LLM_MODEL, settings.YORISOI_ROLEPLAY_DAILY_TURNS = "fake", 100_000
    settings.YORISOI_ROLEPLAY_DAILY_TOKENS = 100_000_000
    clock = ModelClock()
    ai = play(client, "llm", fake, clock)
    streamed = first_bytes(client, fake, clock)
    fake.stop()

    med = scratch.median
    scratch.note(
        f"bench/roleplay.py: {TURNS} learner turns per mode through the JSON API (medians of "
        "turns 1–10, the baseline, and 91–100 of the same session); fake model: first token "
        f"after {FIRST_TOKEN * 1000:.0f} ms, {CHUNK * 1000:.0f} ms between chunks"
    )
    first, last = scripted[:10], scripted[-10:]
    scratch.figure(
        "scripted_turn_time_91_100",
        med(t for t, *_ in last),
        "ms",
        (med(t for t, *_ in first), "ms"),
    )
    scratch.figure("scripted_turn_queries", round(med(q for _, _, q, *_ in last)), "queries")
    scratch.note("AI partner: turn time against the model's time in the same turns (all 100)")
    scratch.figure(
        "ai_partner_turn_time",
        med(t for t, *_ in ai),
        "ms",
        (med(m for _, m, *_ in ai), "ms"),
    )
    first, last = ai[:10], ai[-10:]
    scratch.figure(
        "ai_partner_overhead_91_100",
        med(t - m for t, m, *_ in last),
        "ms",
        (med(t - m for t, m, *_ in first), "ms"),
    )
    scratch.figure(
        "ai_partner_overhead_cpu_91_100",
        med(c for _, _, _, c, _ in last),
        "ms",
        (med(c for _, _, _, c, _ in first), "ms"),
    )
    scratch.figure(
        "ai_partner_client_cpu_91_100",
        med(c for *_, c in last),
        "ms",
        (med(c for *_, c in first), "ms"),
    )
    scratch.figure("ai_partner_turn_queries", round(med(q for _, _, q, *_ in last)), "queries")
    scratch.note(f"streaming, {STREAMED} turns: first reply byte against the model's first token")
    scratch.figure(
        "streamed_first_byte_time",
        med(b for b, _ in streamed),
        "ms",
        (med(f for _, f in streamed), "ms"),
    )
    scratch.figure("streamed_first_byte_after_first_token", med(b - f for b, f in streamed), "ms")


if __name__ == "__main__":
    main()
