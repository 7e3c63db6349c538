"""Benchmark: the trainer dashboard at 300 trainees × 60 lessons against a 3 × 4 baseline.

Run with `.venv/bin/python bench/dashboard.py` (a throwaway SQLite database in a temp folder,
or the database DATABASE_URL names — it must be an empty scratch database). Prints the SQL query
count and the median server time of rendering each dashboard, measured in the same run.
"""

import statistics
import time

import scratch  # noqa: F401 - sets Django up on a scratch database
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import populate_cohort

RUNS = 7


def measure(label, trainees, modules, lessons_per_module):
    cohort, trainer = populate_cohort(trainees, modules, lessons_per_module)
    client = Client()
    client.force_login(trainer)
    url = reverse("cohort_dashboard", args=[cohort.pk])
    # DEBUG keeps a bounded log of queries; empty it so the count is this request's alone.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    lessons = modules * lessons_per_module
    print(
        f"{label:<9} {trainees:>4} trainees × {lessons:>2} lessons: "
        f"{len(queries):>3} queries, median {statistics.median(timings) * 1000:7.1f} ms"
    )


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; median of {RUNS} renders")
    measure("baseline", 3, 2, 2)
    measure("target", 300, 6, 10)
