"""Fixtures for the browser tests (see browser.py): one Chromium for the package, pages signed
in as the test's people, and a screenshot plus the HTML of every open page when a test fails.
Without Chromium, Playwright or axe-core they skip and say why at the end of the run."""

import contextlib
import os
import threading

import pytest

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, REQUIRED, Browsing, missing

_skipped: list[str] = []


class OneRequestAtATime:
    """The live server's WSGI app, serving one request at a time, response body included.

    With SQLite's in-memory test database every thread of the live server shares this
    thread's one connection, and two requests at once (a quiz saves an answer per keystroke)
    interleave their transactions on it and break each other's savepoints. PostgreSQL gives
    each thread its own connection, so there the server stays concurrent."""

    def __init__(self, app):
        self.app, self.lock = app, threading.Lock()

    def __call__(self, environ, start_response):
        self.lock.acquire()
        try:
            response = self.app(environ, start_response)
        except BaseException:
            self.lock.release()
            raise
        return _ReleasingBody(response, self.lock.release)


class _ReleasingBody:
    """A response body that runs `release` when the server closes it (PEP 3333)."""

    def __init__(self, body, release):
        self.body, self.release = body, release

    def __iter__(self):
        return iter(self.body)

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.release()


@pytest.fixture(scope="session", autouse=True)
def live_server_in_turns_on_sqlite():
    """Applied before pytest-django starts its (session-wide) live server."""
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if connection.vendor != "sqlite":
        yield
        return
    create_server = LiveServerThread._create_server

    def _create_server(self, *args, **kwargs):
        server = create_server(self, *args, **kwargs)
        set_app = server.set_app
        server.set_app = lambda app: set_app(OneRequestAtATime(app))
        return server

    LiveServerThread._create_server = _create_server
    yield
    LiveServerThread._create_server = create_server


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the package. It stops with the package: while Playwright's sync API
    runs it changes how Django sees this thread (see the two helpers below), which no test
    outside tests/e2e should meet."""
    reason = missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"browser tests are required here (YORISOI_E2E_REQUIRED=1), but {reason}")
        _skipped.append(reason)
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_orm_allowed(), connections_per_thread(), sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextlib.contextmanager
def sync_orm_allowed():
    """Playwright's sync API keeps an event loop marked as running on this thread, and Django
    then refuses ORM calls as if they came from async code. The test's ORM calls are plain
    synchronous code, so the guard is lifted while the browser runs."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@contextlib.contextmanager
def connections_per_thread():
    """Django keeps database connections per context (a context variable), and after each of
    Playwright's sync calls the test code resumes in another context. There it would get a
    new connection object, without the migrations' data that serialized_rollback restores
    before each test, so the pages would be missing from the second test on. While the
    browser runs, the connections are kept per thread instead, as this thread had them."""
    from django.db import connections

    per_context = connections._connections
    # A plain threading.local: asgiref's thread-critical Local, too, turns into a context
    # variable when it sees an event loop running.
    per_thread = threading.local()
    for alias in connections:
        setattr(per_thread, alias, connections[alias])
    connections._connections = per_thread
    try:
        yield
    finally:
        connections._connections = per_context


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
    session = Browsing(browser, live_server.url, request.node)
    yield session
    try:
        if getattr(request.node, "e2e_failed", False):
            print(f"screenshots and HTML saved in {session.save()}")
        else:
            assert not session.errors, "errors in the browser:\n" + "\n".join(session.errors)
    finally:
        session.close()
