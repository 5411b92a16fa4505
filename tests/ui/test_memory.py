"""One memory: create, edit, its history as a timeline with sources, a diff between
versions, restore, delete with a confirmation and undelete; errors as readable messages."""

import os
from pathlib import Path

from playwright.async_api import expect

from tests.ui.helpers import api, assert_labelled, create, expect_error

# The README's picture of the page; rewritten only on request, so test runs leave the tree clean.
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "ui.png"


async def test_create_edit_history_diff_restore_delete(tab, ui_server):
    page = await tab.open("#/new?ns=edit.alice")
    await assert_labelled(page)
    await expect(page.get_by_label("Namespace", exact=True)).to_have_value("edit.alice")
    await page.get_by_label("Key", exact=True).fill("theme")
    await page.get_by_label("Content", exact=True).fill("User prefers dark mode")
    await page.get_by_role("button", name="Create").click()
    await expect(page.get_by_role("heading", name="Memory theme")).to_be_visible()
    await expect(page.get_by_role("status")).to_have_text("Created theme.")
    await expect(page.locator("#tree").get_by_role("link", name="alice 1 memories")).to_be_visible()

    await page.get_by_role("button", name="Edit", exact=True).click()
    await assert_labelled(page)
    await page.get_by_label("Content", exact=True).fill("User prefers light mode")
    await page.get_by_label("TTL (minutes)").fill("90")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("dd .content")).to_have_text("User prefers light mode")
    await expect(page.locator("dl.props")).to_contain_text("TTL 90 min, expires")

    # a change through another door: LangGraph's store API, recorded as source "store"
    async with api(ui_server) as client:
        response = await client.put("/store/items", json={
            "namespace": ["edit", "alice"], "key": "theme",
            "value": {"kind": "Memory", "content": {"content": "User prefers solarized"}}})
        assert response.status_code == 204
    await page.reload()
    timeline = page.locator("ol.timeline > li")
    await expect(timeline).to_have_count(3)  # newest first
    for i, (action, source) in enumerate([("update", "store API"), ("update", "API"),
                                          ("insert", "API")]):
        await expect(timeline.nth(i).locator("header strong")).to_contain_text(action)
        await expect(timeline.nth(i).locator(".source")).to_have_text(source)
    first_id = (await timeline.nth(2).locator("header strong").inner_text()).split()[0][1:]

    # the newest change is the current version: marked, and not offered as a restore
    await expect(page.get_by_role("heading", name="History (3 changes)")).to_be_visible()
    await expect(timeline.first.locator(".current-badge")).to_have_text("Current version")
    await expect(timeline.first.get_by_role("button", name="Restore this version")).to_have_count(0)
    await expect(page.locator(".current-badge")).to_have_count(1)

    # compare: defaults to the current version against the one before; word by word
    compare = page.locator(".compare .diff")
    await expect(compare.locator("del")).to_have_text("light mode")
    await expect(compare.locator("ins")).to_have_text("solarized")
    await page.get_by_label("From the version after").select_option(first_id)
    await expect(compare.locator("del")).to_have_text("dark mode")
    # one change's own diff, shown on demand
    toggle = timeline.nth(1).get_by_role("button", name="Show changes")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await expect(timeline.nth(1).locator(".diff del")).to_have_text("dark")
    await expect(timeline.nth(1).locator(".diff ins")).to_have_text("light")

    # restore the first version: the memory reads it again, and history says so
    await page.get_by_role("button", name=f"Restore this version (#{first_id})").click()
    await expect(page.get_by_role("status")).to_contain_text(f"after change #{first_id}")
    await expect(page.locator("dd .content")).to_have_text("User prefers dark mode")
    await expect(timeline.first.locator(".source")).to_have_text("restore")
    async with api(ui_server) as client:
        stored = (await client.get("/v1/memories/theme?namespace=edit.alice")).json()
    assert stored["value"]["content"] == {"content": "User prefers dark mode"}
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

    # delete asks first: Escape and Cancel keep the memory
    await page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog", name="Delete theme?")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)
    await page.get_by_role("button", name="Delete").click()
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(dialog).to_have_count(0)
    await expect(page.locator("dd .content")).to_have_text("User prefers dark mode")
    await page.get_by_role("button", name="Delete").click()
    await dialog.get_by_role("button", name="Delete memory").click()
    await expect(page.get_by_text("This memory is deleted")).to_be_visible()
    await expect(page.locator("#tree [data-ns='edit.alice']")).to_have_count(0)
    async with api(ui_server) as client:
        assert (await client.get("/v1/memories/theme?namespace=edit.alice")).status_code == 404

    # a deletion in the timeline undeletes
    await expect(timeline.first.locator("header strong")).to_contain_text("delete")
    await timeline.first.get_by_role("button", name="Undelete").click()
    await expect(page.locator("dd .content")).to_have_text("User prefers dark mode")
    await expect(page.locator("#tree [data-ns='edit.alice']")).to_have_count(1)


async def test_keyboard_only_create_and_readable_errors(tab, ui_server):
    page = await tab.open("#/new")
    # keyboard only: Tab from field to field, Enter submits
    await page.get_by_label("Namespace", exact=True).focus()
    await page.keyboard.type("keys.alice")
    await page.keyboard.press("Tab")
    await page.keyboard.type("pet")
    await page.keyboard.press("Tab")  # kind: keep Memory
    await page.keyboard.press("Tab")  # content format: JSON object
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Tab")
    await page.keyboard.type('{"species": "dog", "name": "Fido"}')
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # TTL field: Enter submits the form
    await expect(page.get_by_role("heading", name="Memory pet")).to_be_visible()
    await expect(page.locator("dd .content")).to_contain_text('"name": "Fido"')

    # the API's refusals, as its messages
    await page.goto(f"{ui_server.url}/ui#/new")
    await page.get_by_label("Namespace", exact=True).fill("keys.alice")
    await page.get_by_label("Key", exact=True).fill("pet")
    await page.get_by_label("Content", exact=True).fill("again")
    await page.get_by_role("button", name="Create").click()
    await expect_error(page, "409")
    await page.get_by_label("Namespace", exact=True).fill("langgraph.x")
    await page.get_by_role("button", name="Create").click()
    await expect_error(page, "cannot start with 'langgraph'")
    # the page's own checks
    await page.get_by_label("Content format").select_option("json")
    await page.get_by_label("Content", exact=True).fill("{not json")
    await page.get_by_role("button", name="Create").click()
    await expect_error(page, "The content is not valid JSON")
    await page.get_by_role("button", name="Dismiss").click()
    await expect(page.locator("#error")).to_be_hidden()
    # a memory that never existed
    await page.goto(f"{ui_server.url}/ui#/memory/nowhere/missing")
    await expect_error(page, "No memory missing in nowhere")
    await expect(page.get_by_role("heading", name="Memory browser")).to_be_visible()


async def tab_to(page, text: str, most: int) -> int:
    """Press Tab until the focused element's text starts with `text`; how many presses."""
    for presses in range(1, most + 1):
        await page.keyboard.press("Tab")
        focused = await page.evaluate("(document.activeElement.innerText || '').trim()")
        if focused.startswith(text):
            return presses
    raise AssertionError(f"{text!r} not reached in {most} Tabs")


async def test_keyboard_only_open_restore_and_delete(tab, ui_server):
    async with api(ui_server) as client:
        memory = await create(client, "kb.alice", "Alice drinks tea")
        await client.put(f"/v1/memories/{memory['key']}?namespace=kb.alice",
                         json={"kind": "Memory", "content": "Alice drinks coffee"})
    page = await tab.open()
    await page.keyboard.press("Tab")  # the first stop skips the header and the tree
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("#view h2")).to_be_focused()

    await page.locator("#tree [data-ns='kb.alice']").focus()
    await page.keyboard.press("Enter")
    # the namespace's heading takes focus: its first memory is a few Tabs away, not 25
    await expect(page.get_by_role("heading", name="Namespace kb.alice")).to_be_focused()
    assert await tab_to(page, "Open", 10) <= 10
    await page.keyboard.press("Enter")
    await expect(page.locator("#view h2")).to_be_focused()

    await tab_to(page, "Restore this version", 20)
    await page.keyboard.press("Enter")
    await expect(page.locator("dd .content")).to_have_text("Alice drinks tea")
    await expect(page.locator("#view h2")).to_be_focused()  # redrawn, the keyboard stays
    await tab_to(page, "Delete", 10)
    await page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=f"Delete {memory['key']}?")
    await expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(dialog.get_by_role("button", name="Delete memory")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("This memory is deleted")).to_be_visible()
