"""Calls run at once from real threads: two tabs, a double click, two people at one record."""

import threading

from django.db import connections


def at_once(calls) -> tuple[list, list[Exception]]:
    """Run each call in its own thread, all released together; (results, exceptions). Each
    thread closes its database connections, so a test that commits can drop its database."""
    start = threading.Barrier(len(calls))
    results, failures = [], []

    def run(call):
        start.wait()
        try:
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - the caller asserts on every failure
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, failures
