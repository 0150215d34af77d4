"""Headless Chromium for the browser tests: pytest + Playwright's Python API.

Playwright cannot download a browser of its own here, so it drives Debian's
chromium (`apt-get install chromium`; another binary through $CHROMIUM).
`browser.launch()` gives every run a fresh, empty user-data-dir of its own.

Fixtures, for any test in this folder (mark each module `pytest.mark.browser`,
which plain `pytest` deselects; `make test-site` runs them):

- `chromium`: the browser, one per test session;
- `browser_session`: a fresh context that aborts every request leaving this
  machine and records, for all its pages, console errors, uncaught exceptions,
  failed requests (network errors and HTTP status >= 400) and the aborted
  non-local requests; `browser_session.problems()` lists them all;
- `page`: a page in that context;
- `open_browser_session`: `with open_browser_session() as session:` makes such a
  session for a fixture of wider scope.

Playwright is imported only inside the fixtures, so that `make test` (without
the site requirements) still collects, and deselects, these tests.
"""

import contextlib
import functools
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, and the
# closed network refuses those connections many at a time.
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
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
# URLs that never leave the page; Playwright does not route data: URLs anyway
INLINE_SCHEMES = {"data", "blob", "about"}


def is_local(url):
    parts = urlsplit(url)
    return parts.scheme in INLINE_SCHEMES or parts.hostname in LOCAL_HOSTS


class BrowserSession:
    """A fresh browser context whose pages record everything that went wrong."""

    def __init__(self, browser, viewport=None):
        self.console_errors = []
        self.failed_requests = []
        self.external_requests = []
        self.context = browser.new_context(
            viewport=viewport or {"width": 1400, "height": 900}, service_workers="block"
        )
        self.context.route("**/*", self._guard)

    def _guard(self, route):
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.external_requests.append(url)
            route.abort("blockedbyclient")

    def new_page(self):
        page = self.context.new_page()
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"{page.url}: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        return page

    def _on_console(self, message):
        if message.type == "error":
            where = message.location.get("url", "")
            self.console_errors.append(f"{where}: {message.text}")

    def _on_request_failed(self, request):
        # an aborted external request is reported as such; an HTTP error only once
        reported = self.external_requests + [r.split(" ")[0] for r in self.failed_requests]
        if request.url not in reported:
            self.failed_requests.append(f"{request.url} ({request.failure})")

    def _on_response(self, response):
        if response.status >= 400:
            self.failed_requests.append(f"{response.url} (HTTP {response.status})")

    def problems(self):
        return (
            [f"console error: {e}" for e in self.console_errors]
            + [f"failed request: {r}" for r in self.failed_requests]
            + [f"request leaving localhost (aborted): {r}" for r in self.external_requests]
        )

    def clear(self):
        self.console_errors.clear()
        self.failed_requests.clear()
        self.external_requests.clear()

    def close(self):
        self.context.close()


@contextlib.contextmanager
def open_session(browser, **kwargs):
    session = BrowserSession(browser, **kwargs)
    try:
        yield session
    finally:
        session.close()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set $CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def open_browser_session(chromium):
    return functools.partial(open_session, chromium)


@pytest.fixture
def browser_session(chromium):
    with open_session(chromium) as session:
        yield session


@pytest.fixture
def page(browser_session):
    return browser_session.new_page()
