"""Browse and search: the namespace tree with counts, a namespace's memories newest first
and paged, and search with its mode switch, filter, scores and namespaces."""

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
