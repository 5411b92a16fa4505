"""Sign-in: with keys configured the page asks for one, keeps it for the tab only, sends it
on every call, and shows only what the key's grants allow."""

from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from tests.conftest import fresh_database
from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env
from tests.ui.helpers import api, assert_labelled, create, expect_error

ADMIN_KEY = "ui-test-admin-key-0123456789"


@pytest.fixture(scope="module")
def ui_server(pg_admin_url: str, template_db: str, fake_llm) -> Iterator[LiveServer]:
    """This module's server needs a key (overrides the open one of tests/ui/conftest.py)."""
    with fresh_database(pg_admin_url, template_db) as url, LiveServer.start(
            {**live_server_env(url, fake_llm), "ADMIN_API_KEY": ADMIN_KEY}) as server:
        yield server


async def sign_in(page, key: str) -> None:
    await page.get_by_label("API key").fill(key)
    await page.get_by_role("button", name="Sign in").click()


async def test_sign_in_keeps_the_key_for_the_tab_and_sends_it(tab, ui_server):
    async with api(ui_server) as anonymous:
        # the page and its files need no key; the API does
        assert (await anonymous.get("/ui")).status_code == 200
        assert (await anonymous.get("/ui/app.js")).status_code == 200
        assert (await anonymous.get("/v1/namespaces")).status_code == 401
    async with api(ui_server, ADMIN_KEY) as admin:
        await create(admin, "signed.alice", "Alice likes tea")

    page = await tab.open()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.locator("#app")).to_be_hidden()
    await assert_labelled(page)
    await sign_in(page, "not-a-key-at-all-000000")
    await expect(page.locator("#sign-in-message")).to_contain_text("The key was refused (401")
    await expect(page.locator("#app")).to_be_hidden()

    # keyboard only: the form keeps focus on the key field after a refusal; Enter signs in
    await expect(page.get_by_label("API key")).to_be_focused()
    await page.keyboard.type(ADMIN_KEY)
    await page.keyboard.press("Enter")
    await expect(page.locator("#tree").get_by_role("link", name="alice 1 memories")).to_be_visible()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    api_calls = [(u, h) for u, h in tab.requests if "/v1/stats/namespaces" in u]
    assert api_calls and all(h.get("authorization") == f"Bearer {ADMIN_KEY}"
                             for _, h in api_calls)

    await page.reload()  # the tab keeps its key
    await expect(page.locator("#tree").get_by_role("link", name="alice 1 memories")).to_be_visible()
    assert await page.evaluate("sessionStorage.length") == 1
    other_tab = await page.context.new_page()  # another tab has to sign in itself
    await other_tab.goto(f"{ui_server.url}/ui")
    await expect(other_tab.get_by_role("heading", name="Sign in")).to_be_visible()
    await other_tab.close()

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.locator("#sign-in-message")).to_have_text("Signed out.")
    assert await page.evaluate("sessionStorage.length") == 0


async def test_a_key_sees_only_its_grants(tab, ui_server):
    async with api(ui_server, ADMIN_KEY) as admin:
        await create(admin, "grants.alice", "Alice likes tea")
        await create(admin, "grants.bob", "Bob likes coffee")
        response = await admin.post("/v1/keys", json={
            "name": "alice read-only", "grants": [{"prefix": ["grants", "alice"],
                                                   "access": "read"}]})
        assert response.status_code == 201, response.text
        alice_key = response.json()["key"]

    page = await tab.open("#/search")
    await sign_in(page, alice_key)
    tree = page.locator("#tree")
    await expect(tree.get_by_role("link", name="alice 1 memories")).to_be_visible()
    await expect(tree.locator("[data-ns='grants.bob']")).to_have_count(0)

    await page.get_by_label("Query").fill("likes")
    await page.get_by_label("Keyword (words)").check()
    await page.get_by_role("button", name="Search").click()
    cards = page.locator("#view article.memory")
    await expect(cards).to_have_count(1)
    await expect(cards.first.locator(".content")).to_have_text("Alice likes tea")

    # a read-only key's delete: the API's 403, as its message
    await cards.first.get_by_role("link", name="Open").click()
    await page.get_by_role("button", name="Delete").click()
    await page.get_by_role("button", name="Delete memory").click()
    await expect_error(page, "403")
    await expect(page.locator("dd .content")).to_have_text("Alice likes tea")


async def test_a_key_with_two_grants_browses_and_searches_both(tab, ui_server):
    async with api(ui_server, ADMIN_KEY) as admin:
        await create(admin, "org.team", "The team likes pizza")
        await create(admin, "shared.notes", "Everyone likes pizza on Fridays")
        await create(admin, "private.x", "Nobody else likes pizza")
        response = await admin.post("/v1/keys", json={"name": "two grants", "grants": [
            {"prefix": ["org"], "access": "read"}, {"prefix": ["shared"], "access": "read"}]})
        key = response.json()["key"]

    page = await tab.open()
    await sign_in(page, key)
    await expect(page.locator("#whoami")).to_have_text(
        "Signed in as two grants (read org, read shared)")
    tree = page.locator("#tree")
    await expect(tree.get_by_role("link", name="team 1 memories")).to_be_visible()
    await expect(tree.get_by_role("link", name="notes 1 memories")).to_be_visible()
    await expect(tree.locator("[data-ns='private.x']")).to_have_count(0)
    await expect(page.locator("#error")).to_be_hidden()
    await expect(page.get_by_role("link", name="Admin")).to_be_hidden()

    # "all": both granted prefixes, merged; never the one it may not read
    await page.goto(f"{ui_server.url}/ui#/search?q=pizza&mode=keyword&filter=&prefix=&page=1")
    cards = page.locator("#view article.memory")
    await expect(cards).to_have_count(2)
    await expect(page.locator("#results-title")).to_have_text("Results 1–2 of 2 memories")
    await expect(page.locator("#error")).to_be_hidden()
    await page.goto(f"{ui_server.url}/ui#/jobs")
    await expect(page.get_by_text("No jobs match.")).to_be_visible()
    await expect(page.locator("#error")).to_be_hidden()


async def test_admin_pages_create_revoke_keys_and_manage_profiles(tab, ui_server):
    page = await tab.open("#/admin")
    await sign_in(page, ADMIN_KEY)
    await expect(page.locator("#whoami")).to_have_text("Signed in as admin (ADMIN_API_KEY) (admin)")
    await page.get_by_role("link", name="Admin").click()
    await expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    await assert_labelled(page)
    await page.get_by_label("Name", exact=True).fill("carol app")
    await page.get_by_label("Grants", exact=True).fill("write carol\nread shared")
    await page.get_by_role("button", name="Create key").click()
    secret = page.locator(".new-secret")
    await expect(secret).to_be_visible()
    created = (await secret.inner_text()).strip()
    async with api(ui_server, created) as carol:
        assert (await carol.get("/v1/whoami")).json()["name"] == "carol app"
    card = page.locator("article.key", has_text="carol app")
    await expect(card).to_contain_text("write carol, read shared")
    await page.reload()  # shown once: a reload lists the key, never its secret again
    await expect(page.locator(".new-secret")).to_have_count(0)
    await card.get_by_role("button", name="Revoke carol app").click()
    await page.get_by_role("dialog").get_by_role("button", name="Revoke key").click()
    await expect(card.locator(".badge")).to_have_text("revoked")
    async with api(ui_server, created) as carol:
        assert (await carol.get("/v1/whoami")).status_code == 401
    await page.get_by_label("Grants", exact=True).fill("maybe carol")
    await page.get_by_label("Name", exact=True).fill("bad")
    await page.get_by_role("button", name="Create key").click()
    await expect_error(page, 'A grant line starts with "read" or "write"')

    await page.get_by_role("link", name="Extraction profiles").click()
    await expect(page.get_by_role("heading", name="Extraction profiles")).to_be_visible()
    await page.get_by_label("Profile name").fill("episodes")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_role("status")).to_have_text("Created profile episodes.")
    async with api(ui_server, ADMIN_KEY) as admin:
        assert (await admin.get("/v1/profiles/episodes")).status_code == 200
    await page.get_by_role("button", name="Delete episodes").click()
    await page.get_by_role("dialog").get_by_role("button", name="Delete profile").click()
    await expect(page.get_by_role("button", name="Delete episodes")).to_have_count(0)
    async with api(ui_server, ADMIN_KEY) as admin:
        assert (await admin.get("/v1/profiles/episodes")).status_code == 404
