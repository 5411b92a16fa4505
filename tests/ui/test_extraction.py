"""Extraction from the page: paste a conversation, submit it now or debounced, watch the job
go from queued to done against the fake LLM server, follow links to what it changed."""

import json
import re

from playwright.async_api import expect

from tests.fakes.llm_server import user_text
from tests.llm_fixtures import memory_ids
from tests.ui.helpers import api, assert_labelled, create, drawn

NS = "extract.alice"


def consolidate(body: dict) -> dict:
    """The model's answer: one new fact, one corrected, one dropped (by the ids it was shown)."""
    ids = memory_ids(user_text(body))
    return {"operations": [
        {"action": "insert", "kind": "Memory", "content": {"content": "User has a dog named Fido"}},
        {"action": "update", "id": ids["User lives in Berlin"],
         "content": {"content": "User lives in Lisbon"}},
        {"action": "delete", "id": ids["User has a cat named Tom"]}]}


async def test_submit_now_watch_the_job_and_follow_its_links(tab, ui_server, llm):
    async with api(ui_server) as client:
        await create(client, NS, "User lives in Berlin")
        cat = await create(client, NS, "User has a cat named Tom")
    llm.script(consolidate)
    page = await tab.open("#/extract")
    await assert_labelled(page)
    await page.get_by_label("Conversation").fill(
        "user: I moved to Lisbon, and Tom the cat lives with my sister now.\n"
        "assistant: Big changes!\n"
        "user: I also adopted a dog,\nhis name is Fido.")
    await page.get_by_label("Namespace", exact=True).fill(NS)
    await expect(page.get_by_label("Now")).to_be_checked()
    await page.get_by_role("button", name="Submit for extraction").click()

    await expect(page.get_by_role("heading", name="Extraction job")).to_be_visible()
    await expect(page.locator(".job-status")).to_have_text("succeeded")
    await expect(page.locator("ol.steps li[aria-current]")).to_have_text("done")
    created = page.get_by_role("region", name="Created")
    await expect(created.get_by_role("listitem")).to_have_count(1)
    await expect(created).to_contain_text("User has a dog named Fido")
    await expect(page.get_by_role("region", name="Updated")).to_contain_text("User lives in Lisbon")
    deleted = page.get_by_role("region", name="Deleted")
    await expect(deleted.get_by_role("link", name=cat["key"][:8])).to_be_visible()
    job_id = (await page.locator("h2 code").inner_text()).strip()
    # the page sent the pasted turns as messages (a line without a role continues one)
    sent = user_text(llm.llm_requests[0].body)
    for message in ({"role": "assistant", "content": "Big changes!"},
                    {"role": "user", "content": "I also adopted a dog,\nhis name is Fido."}):
        assert json.dumps(message) in sent

    await created.get_by_role("link").click()
    await expect(page.locator("dd .content")).to_have_text("User has a dog named Fido")
    change = page.locator("ol.timeline > li").first
    await expect(change.locator(".source")).to_have_text("extraction job")
    await change.get_by_role("link", name=f"job {job_id[:8]}").click()
    await expect(page.locator(".job-status")).to_have_text("succeeded")

    await deleted.get_by_role("link", name=cat["key"][:8]).click()
    await expect(page.get_by_text("This memory is deleted")).to_be_visible()
    await expect(page.locator("ol.timeline > li").first.locator(".source")).to_have_text(
        "extraction job")
    await expect(page.locator("#tree").get_by_role("link", name="alice 2 memories")).to_be_visible()


async def test_a_debounced_job_is_seen_queued_then_done(tab, ui_server, llm):
    llm.script({"operations": [{"action": "insert", "kind": "Memory",
                                "content": {"content": "User plays the cello"}}]})
    page = await tab.open("#/extract")
    await page.get_by_label("Conversation").fill(
        '[{"role": "user", "content": "I have played the cello since I was six."}]')
    await page.get_by_label("Namespace", exact=True).fill("extract.bob")
    await page.get_by_label("Debounced").check()
    await page.get_by_label("Quiet for (seconds)").fill("2")
    await page.get_by_role("button", name="Submit for extraction").click()

    status = page.locator(".job-status")
    await expect(status).to_have_text("queued")
    await expect(page.locator("ol.steps li[aria-current]")).to_have_text("queued")
    assert llm.calls == 0  # waiting for the thread to go quiet
    await expect(status).to_have_text("succeeded")
    await expect(page.get_by_role("region", name="Created")).to_contain_text(
        "User plays the cello")
    assert llm.calls == 1


async def test_the_jobs_list_filters_and_the_form_keeps_the_thread(tab, ui_server, llm):
    llm.script({"operations": []}, {"operations": []})
    page = await tab.open("#/extract")
    await page.get_by_label("Conversation").fill("user: Nothing much today.")
    await page.get_by_label("Namespace", exact=True).fill("extract.carol")
    await page.get_by_label("Thread", exact=True).fill("carol-thread")
    await page.get_by_role("button", name="Submit for extraction").click()
    await expect(page.locator(".job-status")).to_have_text("succeeded")
    await expect(page.get_by_role("region", name="Conversation (1 message)")).to_contain_text(
        "Nothing much today.")
    first = (await page.locator("h2 code").inner_text()).strip()

    # back to the form: the same thread (a debounce needs it), until "New thread"
    await page.get_by_role("link", name="Submit more on this thread").click()
    await expect(page.get_by_label("Thread", exact=True)).to_have_value("carol-thread")
    await expect(page.get_by_label("Namespace", exact=True)).to_have_value("extract.carol")
    await page.goto(f"{ui_server.url}/ui#/extract")
    await drawn(page, "#/extract")
    await expect(page.get_by_label("Thread", exact=True)).to_have_value("carol-thread")
    await page.get_by_label("Conversation").fill("user: Still nothing.")
    await page.get_by_role("button", name="Submit for extraction").click()
    await expect(page.locator(".job-status")).to_have_text("succeeded")
    second = (await page.locator("h2 code").inner_text()).strip()

    # the jobs list, filtered by thread, namespace and status, finds its way back to a job
    await page.get_by_role("link", name="Jobs of this thread").click()
    jobs = page.locator("#view article.job")
    await expect(jobs).to_have_count(2)
    await expect(jobs.first.get_by_role("link")).to_have_text(f"Job {second[:8]}…")
    await page.get_by_label("Namespace", exact=True).fill("extract.nobody")
    await filter_jobs(page, "namespace=extract.nobody")
    await expect(page.get_by_text("No jobs match.")).to_be_visible()
    await page.get_by_label("Namespace", exact=True).fill("extract.carol")
    await page.get_by_label("Status").select_option("failed")
    await filter_jobs(page, "status=failed")
    await expect(page.get_by_text("No jobs match.")).to_be_visible()
    await page.get_by_label("Status").select_option("succeeded")
    await filter_jobs(page, "status=succeeded")
    await expect(jobs).to_have_count(2)
    await jobs.last.get_by_role("link").click()
    await expect(page.locator("h2 code")).to_have_text(first)


async def filter_jobs(page, expected):
    """Submit the filter and wait for its own answer: the last one's stays on screen (and its
    form under the pointer) until then, and a form drawn mid-typing would lose a choice."""
    await page.get_by_role("button", name="Filter").click()
    await drawn(page, re.compile(re.escape(expected)))
