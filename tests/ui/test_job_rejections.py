"""The job page tells "nothing worth remembering" from "everything was rejected", and shows the
reasons, for a model that fills the tool's schema literally and one that does not."""

from playwright.async_api import expect

from tests.fakes.schema_literal import schema_literal
from tests.ui.helpers import api

EMPTY = {"operations": [{"action": "insert", "kind": "Memory", "content": {}}]}


async def submit(server, text: str, user: str) -> str:
    async with api(server) as client:
        job = (await client.post("/v1/jobs/extract", json={
            "messages": [{"role": "user", "content": text}],
            "namespace": ["jobs", user], "thread_id": user})).json()
    return job["id"]


async def test_a_job_whose_operations_were_rejected_shows_why(tab, ui_server, llm):
    llm.script(EMPTY, EMPTY)  # the first answer and the repair call's
    page = await tab.open(f"#/jobs/{await submit(ui_server, 'I like dogs.', 'rejected')}")
    await expect(page.locator(".job-status")).to_have_text("failed")
    await expect(page.locator(".job-outcome")).to_have_text(
        "every operation rejected, nothing stored")
    region = page.get_by_role("region", name="Rejected")
    await expect(region.get_by_role("listitem")).to_have_count(1)
    await expect(region).to_contain_text("'content' is a required property")
    await expect(page.get_by_text("every operation the model proposed was rejected (1)")
                 ).to_be_visible()
    # nothing stored reads as nothing stored, not as "Created (0)"
    await expect(page.get_by_text("No memory was created, updated or deleted.")).to_be_visible()
    await expect(page.get_by_role("region", name="Created")).to_have_count(0)
    # and the conversation it was made from
    await expect(page.get_by_role("region", name="Conversation (1 message)")).to_contain_text(
        "user: I like dogs.")


async def test_a_schema_literal_model_stores_what_the_page_shows(tab, ui_server, llm):
    llm.script(default=schema_literal)
    page = await tab.open(f"#/jobs/{await submit(ui_server, 'I like dogs. My dog is Fido.', 'ok')}")
    await expect(page.locator(".job-status")).to_have_text("succeeded")
    await expect(page.locator(".job-outcome")).to_have_text("stored")
    created = page.get_by_role("region", name="Created")
    await expect(created.get_by_role("listitem")).to_have_count(2)
    await expect(created).to_contain_text("My dog is Fido.")
    await expect(page.get_by_role("region", name="Rejected")).to_have_count(0)
