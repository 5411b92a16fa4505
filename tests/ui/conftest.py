"""Browser tests: the page at /ui in a real headless Chromium against a live server.

Chromium is Debian's package (.ci/run installs it); Playwright drives it. One browser per
xdist worker (starting Playwright and Chromium costs 3-5 s on a busy 2-core machine, once per
file before), one server per module: test_sign_in's server has keys, the others have none, and
their root views count every namespace. Every test gets a fresh browser context (its own tab
storage, so nothing carries over between files) and fails if the page requested another host
or threw an uncaught error.
"""

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.conftest import fresh_database
from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
TIMEOUT_MS = 15_000  # generous: the machine may be busy; a passing step takes milliseconds

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        await launched.close()


@pytest.fixture(scope="module")
def ui_server(pg_admin_url: str, template_db: str, fake_llm) -> Iterator[LiveServer]:
    """A server that extracts through the fake LLM, on its own database."""
    with fresh_database(pg_admin_url, template_db) as url, \
            LiveServer.start(live_server_env(url, fake_llm)) as server:
        yield server


class Tab:
    """A page with what it asked the network for, and its uncaught errors."""

    def __init__(self, page: Page, server: LiveServer) -> None:
        self.page = page
        self.server = server
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append((r.url, r.headers)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        # /ui's Content-Security-Policy stops requests to other hosts before they are made
        # (no request event): the refusal is logged to the console instead.
        page.on("console", lambda m: "Content Security Policy" in m.text
                and self.errors.append(m.text))

    async def open(self, hash_route: str = "") -> Page:
        """The page once it has chosen between the sign-in form and the app: keys pressed
        earlier reach neither (the skip link, say, has nowhere to go while it loads)."""
        await self.page.goto(f"{self.server.url}/ui{hash_route}")
        await expect(self.page.locator("#loading")).to_be_hidden()
        return self.page

    def check(self) -> None:
        origin = urlsplit(self.server.url).netloc
        elsewhere = [u for u, _ in self.requests
                     if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                     and urlsplit(u).netloc != origin]
        assert self.requests, "the page made no requests at all"
        assert not elsewhere, f"the page requested other hosts: {elsewhere}"
        assert not self.errors, f"uncaught errors or CSP refusals in the page: {self.errors}"


@pytest.fixture
async def tab(browser: Browser, ui_server: LiveServer) -> AsyncIterator[Tab]:
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(TIMEOUT_MS)
    opened = Tab(await context.new_page(), ui_server)
    try:
        yield opened
        opened.check()
    finally:
        await context.close()
