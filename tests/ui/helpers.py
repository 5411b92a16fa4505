"""Seeding through the public API, and checks every view should pass."""

import re

import httpx
from playwright.async_api import Page, expect

from tests.live_server import LiveServer


def api(server: LiveServer, key: str | None = None) -> httpx.AsyncClient:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30)


async def create(client: httpx.AsyncClient, namespace: str, content, **extra) -> dict:
    response = await client.post("/v1/memories", json={
        "namespace": namespace.split("."), "content": content, **extra})
    assert response.status_code == 201, response.text
    return response.json()


async def drawn(page: Page, route: str | re.Pattern[str]) -> None:
    """Wait until the view answers `route` (a hash, or a pattern of one) and is drawn: a form
    typed into before then is replaced by the route's own a moment later (app/ui/app.js)."""
    view = page.locator("#view")
    await expect(view).to_have_attribute("data-shows", route)
    await expect(view).not_to_have_attribute("aria-busy", "true")


async def assert_labelled(page: Page) -> None:
    """Every visible form control has a label: usable by keyboard and screen reader."""
    unlabelled = await page.evaluate("""() => [...document.querySelectorAll(
        'input, select, textarea')].filter((el) => el.offsetParent !== null
        && el.labels.length === 0).map((el) => el.outerHTML)""")
    assert unlabelled == []


async def expect_error(page: Page, text: str) -> None:
    await expect(page.locator("#error-text")).to_contain_text(text)
    await expect(page.locator("#error")).to_be_visible()


LITERALS = r"\b(null|undefined|false|NaN)\b|\[object Object\]"
_AXE = None


async def assert_clean(page: Page) -> None:
    """No horizontal scroll, no leaked `null`/`undefined`/`false` text, no serious or critical
    accessibility violation (axe-core, bundled by axe-playwright-python)."""
    global _AXE
    width = await page.evaluate("[document.documentElement.scrollWidth, "
                                "document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"
    leaked = await page.evaluate("""(pattern) => {
        const re = new RegExp(pattern);
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const found = [];
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (re.test(n.textContent) && n.parentElement.closest('[hidden]') === null
              && n.parentElement.tagName !== 'SCRIPT') found.push(n.textContent.slice(0, 80));
        }
        return found;
    }""", LITERALS)
    assert leaked == [], f"literal null/undefined/false text in the page: {leaked}"
    if _AXE is None:
        from axe_playwright_python.async_playwright import Axe
        _AXE = Axe()
    results = await _AXE.run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], f"accessibility violations: {bad}"
