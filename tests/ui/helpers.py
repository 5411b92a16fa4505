"""Seeding through the public API, and checks every view should pass."""

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


async def assert_labelled(page: Page) -> None:
    """Every visible form control has a label: usable by keyboard and screen reader."""
    unlabelled = await page.evaluate("""() => [...document.querySelectorAll(
        'input, select, textarea')].filter((el) => el.offsetParent !== null
        && el.labels.length === 0).map((el) => el.outerHTML)""")
    assert unlabelled == []


async def expect_error(page: Page, text: str) -> None:
    await expect(page.locator("#error-text")).to_contain_text(text)
    await expect(page.locator("#error")).to_be_visible()
