"""Helpers for the browser tests: what they need, signed-in pages, and the axe-core check.

No browser is downloaded: Playwright launches the system's Chromium (Debian's `chromium`).
axe-core comes from the npm registry (`cd tests/e2e && npm ci`, pinned in package-lock.json).
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
# CI sets this: there a missing browser or axe-core fails the run instead of skipping it.
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
# The live server reads the data from another thread, so tests commit; each one then restores
# the pages the migrations made.
e2e = pytest.mark.django_db(transaction=True, serialized_rollback=True)


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


def signed_in(user) -> str:
    """A session cookie for a finished sign-in: both steps, as tests/conftest.py arranges."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Browsing:
    """Opens pages, signed in as someone, and keeps them so that a failure can save what each
    one showed. Errors in the page's scripts, and anything the CSP refused, are collected."""

    def __init__(self, browser, base_url, node):
        self.browser, self.base_url, self.node = browser, base_url, node
        self.contexts, self.pages, self.errors = [], [], []

    def page(self, user=None, *, phone=True, language="en"):
        context = self.browser.new_context(
            viewport=PHONE if phone else DESKTOP, base_url=self.base_url, locale=language
        )
        cookies = {settings.LANGUAGE_COOKIE_NAME: language}
        if user is not None:
            cookies[settings.SESSION_COOKIE_NAME] = signed_in(user)
        context.add_cookies(
            [{"name": k, "value": v, "url": self.base_url} for k, v in cookies.items()]
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: self._console(page, message))
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def _console(self, page, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"{page.url}: {message.text}")

    def save(self) -> Path:
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", self.node.nodeid)
        folder.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(self.pages):
            if not page.is_closed():
                page.screenshot(path=folder / f"page{n}.png", full_page=True)
                (folder / f"page{n}.html").write_text(page.content(), encoding="utf-8")
        return folder

    def close(self):
        for context in self.contexts:
            context.close()


@functools.cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def check_a11y(page, what=""):
    """axe-core on the page as it is now: no serious or critical violation of WCAG 2.1 A/AA
    or of axe's best practices."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() runs outside the page's CSP, which refuses an injected <script>.
        page.evaluate(axe_source())
    results = page.evaluate(
        """axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
    )
    bad = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [node["html"][:200] for node in v["nodes"][:5]],
        }
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"axe on {what or page.url}:\n" + json.dumps(bad, ensure_ascii=False, indent=1)


def focused(page) -> str:
    """The focused element, as a short description for assertions."""
    return page.evaluate(
        """() => { const el = document.activeElement;
            return el ? el.tagName.toLowerCase() + '.' + el.className + ' ' +
                (el.textContent || '').trim().slice(0, 80) : ''; }"""
    )


def focus_is_visible(page) -> bool:
    """Something has focus and draws the site's focus ring (an outline of at least 2px)."""
    return page.evaluate(
        """() => { const el = document.activeElement;
            if (!el || el === document.body) return false;
            const style = getComputedStyle(el);
            return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2; }"""
    )


def tab_to(page, target, limit=60):
    """Press Tab until `target` has focus, as a keyboard user would reach it."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}; focus is on {focused(page)}")


def expect_focus_on(page, target):
    """`target` gets the focus, and shows the focus ring."""
    from playwright.sync_api import expect

    expect(target).to_be_focused()
    assert focus_is_visible(page), f"no visible focus ring on {focused(page)}"
