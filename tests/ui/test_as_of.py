"""The namespace view's past: "as of" a time (read-only, marked so) and the changes between
two times, from the address alone too; clean at a phone's and a desktop's width."""

import re

import psutil
import psycopg
from playwright.async_api import expect

from tests.ui.helpers import api, assert_clean, assert_labelled, create, expect_error

NS = "pastui.alice"


async def seed(server) -> None:
    """a: "tea" on 1 March 2024, "coffee" from 5 March; b: 1 to 3 March; c: from 4 March."""
    async with api(server) as client:
        for key, content in (("a", "tea"), ("b", "gone soon"), ("c", "new")):
            await create(client, NS, content, key=key)
        await client.put("/v1/memories/a", params={"namespace": NS},
                         json={"content": "coffee"})
        await client.delete("/v1/memories/b", params={"namespace": NS})
    url = psutil.Process(server.process.pid).environ()["DATABASE_URL"]  # the server's own
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("""UPDATE memory_history SET changed_at = CASE
            WHEN key = 'a' AND action = 'update' THEN timestamptz '2024-03-05T10:00Z'
            WHEN key = 'b' AND action = 'delete' THEN timestamptz '2024-03-03T10:00Z'
            WHEN key = 'c' THEN timestamptz '2024-03-04T10:00Z'
            ELSE timestamptz '2024-03-01T10:00Z' END WHERE prefix = %s""", (NS,))


async def test_namespace_as_of_a_time_and_changes_between_two(tab, ui_server):
    await seed(ui_server)
    page = await tab.open(f"#/ns/{NS}")
    cards = page.locator("#view article.memory .content")
    await expect(cards).to_have_count(2)  # now: a (coffee) and c

    await page.get_by_text("As of a past time, or what changed").click()  # folded while unused
    await page.get_by_label("As of (UTC)").fill("2024-03-02T00:00")
    await page.get_by_role("button", name="Show as of").click()
    await expect(page.get_by_role("heading", name=re.compile("as of 2024-03-02 00:00 UTC"))) \
        .to_be_visible()
    await expect(page.get_by_role("note")).to_contain_text("Read-only")
    await expect(cards).to_have_text(["tea", "gone soon"])
    await expect(page.locator("#view input[type=checkbox]")).to_have_count(0)  # no bulk edits
    await expect(page.get_by_role("button", name=re.compile("Delete"))).to_have_count(0)
    assert re.search(r"at=2024-03-02T00(%3A|:)00", page.url)
    await assert_labelled(page)
    for width in (390, 1280):
        await page.set_viewport_size({"width": width, "height": 800})
        await assert_clean(page)

    await page.get_by_label("Changes after").fill("2024-03-02T00:00")
    await page.get_by_label("Up to").fill("2024-03-06T00:00")
    await page.get_by_role("button", name="Show changes").click()
    changes = page.locator("#view article.memory")
    await expect(changes).to_have_count(3)
    await expect(changes.locator("header .badge").first).to_have_text("Updated")
    await expect(changes.nth(0).locator("del")).to_have_text("tea")
    await expect(changes.nth(0).locator("ins")).to_have_text("coffee")
    await expect(changes.nth(1)).to_contain_text("Deleted")
    await expect(changes.nth(2)).to_contain_text("Created")
    for width in (390, 1280):
        await page.set_viewport_size({"width": width, "height": 800})
        await assert_clean(page)

    # the address alone replays a past view; a window that ends before it starts is refused
    await page.goto(f"{ui_server.url}/ui#/ns/{NS}?at=2024-03-04T12:00")
    await expect(cards).to_have_text(["tea", "new"])
    await page.get_by_label("Up to").fill("2024-03-01T00:00")
    await page.get_by_label("Changes after").fill("2024-03-02T00:00")
    await page.get_by_role("button", name="Show changes").click()
    await expect_error(page, '"Up to" (2024-03-01 00:00 UTC) is before "Changes after"')
    await page.get_by_role("link", name="Back to the namespace now").click()
    await expect(cards).to_have_text(["coffee", "new"])
