"""Fixtures for the browser tests (see browser.py): one Chromium for the package, pages signed
in as the test's people, and a screenshot plus the HTML of every open page when a test fails.
Without Chromium, Playwright or axe-core they skip and say why at the end of the run."""

import os

import pytest

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, REQUIRED, Browsing, missing

_skipped: list[str] = []


@pytest.fixture(scope="package")
def browser():
    """Playwright's sync API keeps an event loop on this thread for as long as it runs, and
    Django then refuses ORM calls from it as if they were async code. They are not: the test's
    ORM calls are plain synchronous code, so the guard is lifted while the browser runs, and
    the browser stops with this package, before any other test runs."""
    reason = missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"browser tests are required here (YORISOI_E2E_REQUIRED=1), but {reason}")
        _skipped.append(reason)
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.e2e_failed = True
    return report


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_line(
            f"Browser tests in tests/e2e were SKIPPED: {_skipped[0]}", yellow=True, bold=True
        )


@pytest.fixture
def browsing(browser, live_server, request):
    share_connections_with(live_server)
    session = Browsing(browser, live_server.url, request.node)
    yield session
    try:
        if getattr(request.node, "e2e_failed", False):
            print(f"screenshots and HTML saved in {session.save()}")
        else:
            assert not session.errors, "errors in the browser:\n" + "\n".join(session.errors)
    finally:
        session.close()


def share_connections_with(live_server):
    """The server thread uses the test's own in-memory SQLite connection. Once Playwright runs,
    the test code's context holds a connection object other than the one the server captured
    when it started, and the two drift apart: data restored after a test on one was missing
    on the other."""
    from django.db import connections

    override = live_server.thread.connections_override
    for alias, current in list(override.items()):
        if connections[alias] is not current:
            connections[alias].inc_thread_sharing()
            override[alias] = connections[alias]
