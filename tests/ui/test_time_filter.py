"""The time filter and order in the namespace and search views: kept in the address, sent
to the API, and clean at a phone's and a desktop's width."""

import json
import re

from playwright.async_api import expect

from tests.ui.helpers import api, assert_clean, assert_labelled, drawn

NS = ["timeui", "alice"]


async def seed(server) -> None:
    """Five memories created on 1-5 March 2024 and updated on 5-1 April (reversed), through
    import, which keeps timestamps."""
    lines = [json.dumps({"namespace": NS, "key": f"d{day}",
                         "value": {"kind": "Memory", "content": {"content": f"tea day {day}"}},
                         "created_at": f"2024-03-0{day}T12:00:00Z",
                         "updated_at": f"2024-04-0{6 - day}T12:00:00Z", "ttl_minutes": None})
             for day in range(1, 6)]
    async with api(server) as client:
        response = await client.post("/v1/import", content="\n".join(lines) + "\n",
                                     headers={"content-type": "application/x-ndjson"})
        assert response.status_code == 200, response.text


async def test_namespace_view_filters_and_sorts_by_time(tab, ui_server):
    await seed(ui_server)
    page = await tab.open("#/ns/timeui.alice")
    cards = page.locator("#view article.memory .content")
    await expect(cards).to_have_count(5)
    await expect(cards.first).to_have_text("tea day 1")  # updated last

    await page.get_by_text("Time filter and order").click()  # folded while unused
    await page.get_by_label("Order").select_option("created-oldest")
    # drawn anew for the new order (the same cards as before: days 1-5 were updated 5-1
    # April), so the form filled next is the new view's, not one about to be replaced
    await drawn(page, re.compile("sort=created-oldest"))
    await expect(cards).to_have_text([f"tea day {d}" for d in range(1, 6)])

    await page.get_by_label("On", exact=True).select_option("created")
    await page.get_by_label("From", exact=True).fill("2024-03-02")
    await page.get_by_label("To", exact=True).fill("2024-03-04")  # the whole day: 4 March included
    await page.get_by_role("button", name="Apply").click()
    await expect(cards).to_have_text(["tea day 2", "tea day 3", "tea day 4"])
    assert "from=2024-03-02" in page.url and "to=2024-03-04" in page.url
    assert "on=created" in page.url
    for width in (390, 1280):
        await page.set_viewport_size({"width": width, "height": 800})
        await assert_clean(page)

    # the address alone replays it
    await page.goto(f"{ui_server.url}/ui#/ns/timeui.alice?on=updated&to=2024-04-02"
                    "&sort=newest")
    await expect(cards).to_have_text(["tea day 4", "tea day 5"])
    await page.get_by_role("link", name="Clear the time filter").click()
    await expect(cards).to_have_count(5)


async def test_search_view_filters_by_time_in_every_mode(tab, ui_server):
    await seed(ui_server)
    page = await tab.open("#/search?prefix=timeui")
    await assert_labelled(page)
    await page.get_by_label("Query").fill("tea")
    await page.get_by_label("On", exact=True).select_option("updated")
    await page.get_by_label("From", exact=True).fill("2024-04-04")
    await page.get_by_role("button", name="Search").click()
    cards = page.locator("#view article.memory .content")
    await expect(cards).to_have_count(2)
    await expect(cards).to_contain_text(["tea day", "tea day"])
    assert sorted(await cards.all_text_contents()) == ["tea day 1", "tea day 2"]
    for mode in ("Semantic", "Keyword"):
        await page.get_by_label(mode, exact=False).check()
        await page.get_by_role("button", name="Search").click()
        await expect(page).to_have_url(re.compile(f"mode={mode.lower()}"))
        await expect(cards).to_have_count(2)

    # without a query, the order applies
    await page.get_by_label("Query").fill("")
    await page.get_by_label("Order").select_option("created")
    await page.get_by_role("button", name="Search").click()
    await expect(cards).to_have_text(["tea day 2", "tea day 1"])
    for width in (390, 1280):
        await page.set_viewport_size({"width": width, "height": 800})
        await assert_clean(page)

    await page.get_by_label("To", exact=True).fill("2024-04-01")
    await page.get_by_role("button", name="Search").click()
    await expect(page.locator("#error-text")).to_contain_text("is after its To")
