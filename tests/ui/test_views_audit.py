"""Every view at 360 and 390 px phones and at 1280 px: no sideways scroll, no literal `null`
/`false` text, no serious or critical axe-core violation, light and dark; long values shortened and
totals shown; an error replaces the view it happened on."""

import os
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.ui.helpers import api, assert_clean, create, expect_error

# The README's phone picture; rewritten only on request, so test runs leave the tree clean.
PHONE_SHOT = Path(__file__).resolve().parents[2] / "docs" / "ui-phone.png"
LONG = "word " * 24_000  # 120 KB: a list must not grow a page tall for it


@pytest.fixture(scope="module")
async def seeded(ui_server, fake_llm):
    async with api(ui_server) as client:
        for i in range(3):
            await create(client, "views.alice", f"Alice fact {i}")
        await create(client, "views.alice.deep.er", {"name": "Alice", "city": "Porto"},
                     kind="UserProfile")
        memory = await create(client, "views.long", LONG)
        edited = await client.put(f"/v1/memories/{memory['key']}?namespace=views.long",
                                  json={"kind": "Memory", "content": "now short"})
        assert edited.status_code == 200, edited.text
        fake_llm.reset()
        fake_llm.script({"operations": [{"action": "insert", "kind": "Memory",
                                           "content": {}}]},
                          {"operations": [{"action": "insert", "kind": "Memory",
                                           "content": {}}]})
        job = (await client.post("/v1/jobs/extract", json={
            "messages": [{"role": "user", "content": "I like dogs."}],
            "namespace": ["views", "alice"], "thread_id": "audit"})).json()
    return {"job": job["id"], "long": memory["key"]}


VIEWS = ["#/", "#/ns/views.alice", "#/ns/views.long", "#/memory/views.long/{long}",
         "#/search?q=fact&mode=hybrid&filter=&prefix=views&page=1",
         "#/search?q=zzzqqq&mode=keyword&filter=&prefix=&page=1", "#/new", "#/extract",
         "#/jobs", "#/jobs/{job}", "#/admin", "#/admin/profiles"]


@pytest.mark.parametrize("width", [360, 390, 1280])
async def test_every_view_fits_reads_cleanly_and_passes_axe(tab, seeded, width):
    page = tab.page
    await page.set_viewport_size({"width": width, "height": 800})
    for scheme in ("light", "dark") if width > 400 else ("light",):  # dark: colours only
        await page.emulate_media(color_scheme=scheme)
        for view in VIEWS:
            await tab.open(view.format(**seeded))
            await expect(page.locator("#view h2")).to_be_visible()
            if "jobs/" in view:
                await expect(page.locator(".job-status")).to_have_text("failed")
                await expect(page.get_by_text("Conversation (1 message)")).to_be_visible()
            if "search" in view:
                await expect(page.locator("#results-title")).to_be_visible()
            try:
                await assert_clean(page)
            except AssertionError as e:
                raise AssertionError(f"{view} at {width} px, {scheme}: {e}") from None
    if width == 390 and os.environ.get("UPDATE_SCREENSHOT") == "1":
        await page.emulate_media(color_scheme="light")
        await tab.open("#/ns/views.alice")
        await expect(page.locator("#view article.memory")).to_have_count(3)
        await page.screenshot(path=str(PHONE_SHOT))


async def test_totals_long_values_and_an_error_replaces_the_view(tab, seeded, ui_server):
    page = await tab.open("#/ns/views.alice")
    await expect(page.locator("#view .meta").first).to_have_text(
        "3 memories here, 1 memory in the namespaces below")
    await expect(page.locator("#whoami")).to_have_text("Open access (no keys configured)")

    page = await tab.open("#/ns/views.long")
    await expect(page.get_by_role("heading", name="Namespace views.long")).to_be_visible()
    card = page.locator("#view article.memory")
    await expect(card.locator(".content")).to_have_text("now short")
    page = await tab.open(f"#/memory/views.long/{seeded['long']}")
    # the history's old 120 KB version is shortened, and the page stays a page
    await expect(page.get_by_text("shortened: 120,000 characters in all")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollHeight") < 20_000
    await expect(page.locator(".current-badge")).to_have_count(1)
    await expect(page.get_by_role("heading", name="History (2 changes)")).to_be_visible()

    # search totals, and what was searched for is marked
    page = await tab.open("#/search?q=fact&mode=keyword&filter=&prefix=views&page=1")
    await expect(page.locator("#results-title")).to_have_text("Results 1–3 of 3 memories")
    await expect(page.locator("#view article.memory mark").first).to_have_text("fact")

    # an error: the previous view's content is gone, not left under the message
    await page.goto(f"{ui_server.url}/ui#/nowhere-else")
    await page.goto(f"{ui_server.url}/ui#/memory/views.long/{seeded['long']}")
    await expect(page.locator(".current-badge")).to_have_count(1)
    await page.evaluate("location.hash = '#/memory/nowhere/missing'")
    await expect_error(page, "No memory missing in nowhere")
    await expect(page.locator("#view")).to_be_empty()
