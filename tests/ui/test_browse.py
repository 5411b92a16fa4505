"""Browse and search: the namespace tree with counts, a namespace's memories newest first
and paged, and search with its mode switch, filter, scores and namespaces."""

import json
from pathlib import Path

from playwright.async_api import expect

from tests.ui.helpers import api, assert_labelled, create, expect_error


async def test_tree_counts_and_a_namespace_newest_first_paged(tab, ui_server):
    async with api(ui_server) as client:
        for i in range(23):
            await create(client, "browse.alice", f"Alice fact {i:02d}")
        await create(client, "browse.alice.work", "Alice works at Acme")
        await create(client, "browse.bob", {"name": "Bob", "city": "Porto"},
                     kind="UserProfile", ttl=60)
    page = await tab.open()
    await expect(page.locator("#sign-in")).to_be_hidden()  # no keys on loopback: no sign-in
    await expect(page.locator("#sign-out")).to_be_hidden()
    tree = page.locator("#tree")
    # counts: a namespace's own memories plus those below it
    await expect(tree.get_by_role("link", name="browse 25 memories")).to_be_visible()
    await expect(tree.get_by_role("link", name="alice 24 memories")).to_be_visible()
    await expect(tree.get_by_role("link", name="work 1 memories")).to_be_visible()

    await tree.get_by_role("link", name="alice 24 memories").click()
    await expect(page.get_by_role("heading", name="Namespace browse.alice")).to_be_visible()
    cards = page.locator("#view article.memory")
    await expect(cards).to_have_count(20)
    await expect(cards.first.locator(".content")).to_have_text("Alice fact 22")  # newest first
    await expect(cards.first.locator(".kind")).to_have_text("Memory")
    await expect(cards.first.locator(".meta")).to_contain_text("created")
    await expect(cards.first.locator(".meta")).to_contain_text("no TTL")

    await page.get_by_role("link", name="Next page").click()
    await expect(page.get_by_text("Page 2")).to_be_visible()
    await expect(cards).to_have_count(3)
    await expect(cards.last.locator(".content")).to_have_text("Alice fact 00")
    await expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    await page.get_by_role("link", name="Previous page").click()
    await expect(cards).to_have_count(20)
    await expect(page.locator("#view .meta").first).to_have_text(
        "23 memories here, 1 memory in the namespaces below · 2 pages")

    # oldest first, over the whole namespace, paged the same way
    await page.get_by_text("Time filter and order").click()  # folded while unused
    await page.get_by_label("Order").select_option("oldest")
    await expect(cards.first.locator(".content")).to_have_text("Alice fact 00")
    await expect(cards).to_have_count(20)
    await page.get_by_role("link", name="Next page").click()
    await expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    await expect(cards.locator(".content")).to_have_text(
        ["Alice fact 20", "Alice fact 21", "Alice fact 22"])

    await tree.get_by_role("link", name="bob 1 memories").click()
    await expect(page.get_by_role("heading", name="Namespace browse.bob")).to_be_visible()
    profile = page.locator("#view article.memory")
    await expect(profile.locator(".kind")).to_have_text("UserProfile")
    await expect(profile.locator(".content")).to_contain_text('"city": "Porto"')
    await expect(profile.locator(".meta")).to_contain_text("TTL 60 min, expires")


async def test_the_page_is_served_offline_and_only_its_own_files(ui_server):
    async with api(ui_server) as client:
        page = await client.get("/ui")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        # the browser refuses any request to another host, whatever a script tries
        assert "default-src 'self'" in page.headers["content-security-policy"]
        module = await client.get("/ui/views/tree.js")
        assert module.status_code == 200 and "javascript" in module.headers["content-type"]
        slash = await client.get("/ui/", follow_redirects=True)
        assert slash.url.path == "/ui" and slash.status_code == 200
        for outside in ("/ui/../app/main.py", "/ui/%2e%2e/api/ui.py", "/ui/lib",
                        "/ui/missing.js"):
            assert (await client.get(outside)).status_code == 404, outside


async def test_search_modes_filter_scores_and_namespaces(tab, ui_server):
    async with api(ui_server) as client:
        await create(client, "find.alice", "Alice adopted a dog named Fido")
        await create(client, "find.alice", "Priya booked the Lisbon trip for May")
        await create(client, "find.carol", {"name": "Carol", "city": "Porto"},
                     kind="UserProfile")
    page = await tab.open("#/search")
    await assert_labelled(page)
    cards = page.locator("#view article.memory")

    async def search(query: str, mode: str, filter_json: str = "") -> None:
        await page.get_by_label("Query").fill(query)
        await page.get_by_label(mode).check()
        await page.get_by_label("Filter (JSON)").fill(filter_json)
        await page.get_by_label("Under namespace").fill("find")
        await page.get_by_role("button", name="Search").click()

    # keyword: only memories holding a query word
    await search("Fido", "Keyword (words)")
    await expect(cards).to_have_count(1)
    await expect(cards.first.locator(".content")).to_have_text("Alice adopted a dog named Fido")
    await expect(cards.first.locator(".score")).to_contain_text("score ")
    await expect(cards.first.get_by_role("link", name="find.alice")).to_be_visible()

    # semantic: every indexed memory, nearest first, with its score and namespace
    await search("a pet puppy", "Semantic (meaning)")
    await expect(cards).to_have_count(3)
    await expect(cards.first.locator(".content")).to_have_text("Alice adopted a dog named Fido")
    await expect(cards.locator(".score")).to_have_count(3)
    await expect(cards.get_by_role("link", name="find.carol")).to_be_visible()

    # the filter narrows any mode
    await search("Porto", "Hybrid (words and meaning)", '{"kind": "UserProfile"}')
    await expect(cards).to_have_count(1)
    await expect(cards.first.locator(".kind")).to_have_text("UserProfile")
    await expect(cards.first.get_by_role("link", name="find.carol")).to_be_visible()

    # the address keeps the search: back replays the semantic one
    await page.go_back()
    await expect(cards).to_have_count(3)
    await expect(page.get_by_label("Semantic (meaning)")).to_be_checked()

    # mistakes read as messages, from the page and from the API
    await search("dog", "Hybrid (words and meaning)", "{kind: Memory}")
    await expect_error(page, "The filter is not valid JSON")
    await search("dog", "Hybrid (words and meaning)", '{"kind": {"$regex": "M"}}')
    await expect_error(page, "422")
    await expect_error(page, "$regex")


async def test_bulk_delete_with_one_confirmation_and_export_as_a_download(tab, ui_server):
    async with api(ui_server) as client:
        for i in range(4):
            await create(client, "bulk.alice", f"Bulk fact {i}")
        await create(client, "bulk.alice.deeper", "Below it")
    page = await tab.open("#/ns/bulk.alice")
    await expect(page.locator("#view .meta").first).to_have_text(
        "4 memories here, 1 memory in the namespaces below")
    await expect(page.locator("#view")).not_to_contain_text("null")  # no pager: no "null"

    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Export (JSON Lines)").click()
    download = await download_info.value
    assert download.suggested_filename == "bulk.alice.jsonl"
    lines = Path(await download.path()).read_text().splitlines()
    assert sorted(json.loads(line)["value"]["content"]["content"] for line in lines) == \
        ["Below it"] + [f"Bulk fact {i}" for i in range(4)]
    await expect(page.get_by_role("status")).to_have_text(
        "Exported 5 memories to bulk.alice.jsonl.")

    cards = page.locator("#view article.memory")
    bulk = page.get_by_role("button", name="Delete selected")
    await expect(bulk).to_be_disabled()
    await cards.nth(0).get_by_role("checkbox").check()
    await cards.nth(1).get_by_role("checkbox").check()
    await expect(bulk).to_have_text("Delete selected (2)")
    await bulk.click()
    dialog = page.get_by_role("dialog", name="Delete 2 memories?")
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(cards).to_have_count(4)
    await page.get_by_label("Select all on this page").check()
    await expect(bulk).to_have_text("Delete selected (4)")
    await page.get_by_label("Select all on this page").uncheck()
    await cards.nth(0).get_by_role("checkbox").check()
    await cards.nth(3).get_by_role("checkbox").check()
    await bulk.click()
    await page.get_by_role("dialog", name="Delete 2 memories?").get_by_role(
        "button", name="Delete 2 memories").click()
    await expect(page.get_by_role("status")).to_have_text("Deleted 2 memories of 2.")
    await expect(cards).to_have_count(2)
    await expect(cards.locator(".content")).to_have_text(["Bulk fact 2", "Bulk fact 1"])
    await expect(page.locator("#tree").get_by_role("link", name="alice 3 memories")).to_be_visible()
