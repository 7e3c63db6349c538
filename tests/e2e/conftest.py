"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

No browser is downloaded: Playwright launches the system's /usr/bin/chromium. axe-core comes
from the npm registry (`cd tests/e2e && npm ci`) and is evaluated in each page we check.
Without Chromium, Playwright or axe-core the tests skip and say why; CI sets
YORISOI_E2E_REQUIRED=1, where anything missing is a failure instead.

A failed test leaves a screenshot and the HTML of each page it had open in ARTIFACTS.
"""

import functools
import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

HERE = Path(__file__).parent
CHROMIUM = Path(os.environ.get("YORISOI_CHROMIUM", "/usr/bin/chromium"))
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("YORISOI_E2E_ARTIFACTS", HERE / "artifacts"))
REQUIRED = os.environ.get("YORISOI_E2E_REQUIRED") == "1"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Tests commit (the live server reads the data from another thread), so each one restores the
# pages the migrations made afterwards.
e2e = pytest.mark.django_db(transaction=True, serialized_rollback=True)

_skipped: list[str] = []


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return f"axe-core is not installed in {HERE} (cd tests/e2e && npm ci)"
    return None


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the whole package. Playwright's sync API keeps an event loop running on
    this thread, which Django then takes for async code, so it must stop before tests of other
    packages run: hence package scope, not session."""
    reason = missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"browser tests are required here (YORISOI_E2E_REQUIRED=1), but {reason}")
        _skipped.append(reason)
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def sync_orm_beside_playwright(monkeypatch):
    """The test's own ORM calls run beside Playwright's event loop; they are synchronous code
    on the test's thread, not async code, so Django's guard does not apply to them."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_line(
            f"Browser tests (tests/e2e) were SKIPPED: {_skipped[0]}", yellow=True, bold=True
        )


class Browsing:
    """Opens signed-in pages and remembers them, so a failure can save what each one showed."""

    def __init__(self, browser, live_server, request):
        self.browser, self.base, self.request = browser, live_server.url, request
        self.contexts, self.pages, self.errors = [], [], []

    def page(self, user=None, *, phone=True, language="en"):
        context = self.browser.new_context(
            viewport=PHONE if phone else DESKTOP, base_url=self.base, locale=language
        )
        cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.base}]
        if user is not None:
            cookies.append(
                {"name": settings.SESSION_COOKIE_NAME, "value": signed_in(user), "url": self.base}
            )
        context.add_cookies(cookies)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda msg: self._console(page, msg))
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def _console(self, page, message):
        # A script or style the Content-Security-Policy refused is a broken page, not noise.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"{page.url}: {message.text}")

    def save(self):
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", self.request.node.nodeid)
        folder.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(self.pages):
            if page.is_closed():
                continue
            page.screenshot(path=folder / f"page{n}.png", full_page=True)
            (folder / f"page{n}.html").write_text(page.content(), encoding="utf-8")
        return folder

    def close(self):
        for context in self.contexts:
            context.close()


def signed_in(user) -> str:
    """A session cookie for a finished sign-in (both steps, see tests/conftest.py)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def browsing(browser, live_server, request):
    session = Browsing(browser, live_server, request)
    yield session
    try:
        if getattr(request.node, "e2e_failed", False):
            folder = session.save()
            print(f"screenshots and HTML saved in {folder}")
        else:
            assert not session.errors, "errors in the browser:\n" + "\n".join(session.errors)
    finally:
        session.close()


def check_a11y(page, what=""):
    """axe-core on the page as it is now: no serious or critical violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() runs outside the page's CSP, which would refuse an injected <script>.
        page.evaluate(axe_source())
    results = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], runOnly: "
        "{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe on {what or page.url}:\n" + json.dumps(
        [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["html"][:200] for n in v["nodes"][:5]],
            }
            for v in bad
        ],
        ensure_ascii=False,
        indent=1,
    )


@functools.cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")
