"""Benchmark: the trainer's progress matrix at 300 trainees × 60 lessons against 3 × 4.

Run with `.venv/bin/python bench/dashboard.py` (a scratch database: see bench/scratch.py).
Both cohorts are in one database; the cohort dashboard of each is requested in turn through
Django's test Client (middleware, view, template) by its signed-in trainer, BENCH_RUNS rounds
after a warm-up. Prints the median server time and the SQL queries of one request, each with
the small cohort's as the baseline: the time may grow with the cohort, the query count must not.
"""

import time

import scratch
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import populate_cohort
from yorisoi.roles import ensure_groups


def main():
    call_command("migrate", verbosity=0)
    ensure_groups()
    cohorts = {}
    for name, size in (("3x4", (3, 2, 2)), ("300x60", (300, 6, 10))):
        cohort, trainer = populate_cohort(*size)
        cohorts[name] = (scratch.signed_in(trainer), reverse("cohort_dashboard", args=[cohort.pk]))
    queries, timings = {}, {name: [] for name in cohorts}
    for name, (client, url) in cohorts.items():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        queries[name] = scratch.statements(captured)
    for _ in range(scratch.RUNS):
        for name, (client, url) in cohorts.items():
            started = time.perf_counter()
            response = client.get(url)
            timings[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    scratch.note(
        f"bench/dashboard.py: cohort dashboard (progress matrix), median of {scratch.RUNS} "
        "interleaved requests; baseline: 3 trainees × 4 lessons"
    )
    small = scratch.median(timings["3x4"])
    scratch.figure(
        "progress_matrix_300x60_time", scratch.median(timings["300x60"]), "ms", (small, "ms")
    )
    scratch.figure(
        "progress_matrix_300x60_queries",
        queries["300x60"],
        "queries",
        (queries["3x4"], "queries"),
    )


if __name__ == "__main__":
    main()
