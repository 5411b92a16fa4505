"""Rejected operations: one repair call, then honest results (outcome, reasons, a metric, a
failed job and an errored run when everything was rejected)."""

import json

import pytest

from tests.extraction.test_schema_literal import request
from tests.fakes.llm_server import user_text
from tests.llm_fixtures import llm_settings, open_client
from tests.runs.helpers import run_body, wait_for_run

EMPTY_CONTENT = {"action": "insert", "kind": "Memory", "content": {}}  # what the bug produced
GOOD = {"action": "insert", "kind": "Memory", "content": {"content": "User likes dogs"}}
REQUIRED = "content: 'content' is a required property"


async def rejected_total(client, action: str = "insert") -> float:
    text = (await client.get("/metrics")).text
    line = f'extraction_rejected_operations_total{{action="{action}"}} '
    return next((float(x.split()[-1]) for x in text.splitlines() if x.startswith(line)), 0.0)


async def test_a_repair_call_shows_the_errors_and_its_fix_is_stored(extract_client, llm):
    llm.script({"operations": [EMPTY_CONTENT]}, {"operations": [GOOD]})
    result = (await extract_client.post("/v1/extract", json=request("I like dogs."))).json()
    assert result["outcome"] == "stored" and result["repaired"] == 1
    assert [c["value"]["content"]["content"] for c in result["created"]] == ["User likes dogs"]
    assert result["rejected"] == []
    assert result["usage"] == {"llm_calls": 2, "prompt_tokens": llm.prompt_tokens,
                               "completion_tokens": llm.completion_tokens}
    repair = user_text(llm.llm_requests[1].body)
    shown = json.loads(repair.splitlines()[-1])
    assert shown == {"operation": EMPTY_CONTENT,
                     "error": f"content does not match kind Memory: {REQUIRED}"}


async def test_what_the_repair_cannot_fix_is_given_up_with_reasons(extract_client, llm):
    before = await rejected_total(extract_client)
    llm.script({"operations": [EMPTY_CONTENT]}, {"operations": [EMPTY_CONTENT]})
    result = (await extract_client.post("/v1/extract", json=request("I like dogs."))).json()
    assert result["outcome"] == "rejected" and result["created"] == []
    assert [r["reason"] for r in result["rejected"]] == [
        f"content does not match kind Memory: {REQUIRED}"]
    assert result["usage"]["llm_calls"] == 2 == llm.calls
    assert await rejected_total(extract_client) == before + 1
    listed = await extract_client.get("/v1/memories", params={"namespace": "memories.alice"})
    assert listed.json()["items"] == []


async def test_valid_operations_stay_when_some_are_rejected(extract_client, llm):
    llm.script({"operations": [GOOD, EMPTY_CONTENT]}, {"operations": []})
    result = (await extract_client.post("/v1/extract", json=request("I like dogs."))).json()
    assert result["outcome"] == "partially_rejected" and len(result["created"]) == 1
    assert len(result["rejected"]) == 1 and llm.calls == 2


async def test_nothing_worth_remembering_is_not_a_rejection(extract_client, llm):
    llm.script({"operations": []})
    result = (await extract_client.post("/v1/extract", json=request("Hello."))).json()
    assert result["outcome"] == "nothing_to_remember" and result["rejected"] == []
    assert llm.calls == 1


async def test_the_repair_call_can_be_switched_off(settings, embedder, llm):
    app, ctx, client = await open_client(
        llm_settings(settings, llm, extraction_repair=False), embedder)
    try:
        llm.script({"operations": [EMPTY_CONTENT]}, {"operations": [GOOD]})
        result = (await client.post("/v1/extract", json=request("I like dogs."))).json()
        assert result["outcome"] == "rejected" and result["usage"]["llm_calls"] == 1
        assert llm.calls == 1
    finally:
        await client.aclose()
        await ctx.__aexit__(None, None, None)


@pytest.mark.parametrize("answers, status, outcome", [
    ([{"operations": [EMPTY_CONTENT]}, {"operations": [EMPTY_CONTENT]}], "failed", "rejected"),
    ([{"operations": []}], "succeeded", "nothing_to_remember"),
])
async def test_a_job_whose_operations_were_all_rejected_fails_with_the_reasons(
        extract_client, llm, answers, status, outcome):
    from tests.jobs.test_background import job_request, wait_for

    llm.script(*answers)
    job = (await extract_client.post("/v1/jobs/extract",
                                     json=job_request("I like dogs."))).json()
    done = await wait_for(extract_client, job["id"], "succeeded", "failed")
    assert (done["status"], done["result"]["outcome"]) == (status, outcome)
    if status == "failed":
        assert done["error"].startswith("every operation the model proposed was rejected (1)")
        assert REQUIRED in done["error"] and done["result"]["rejected"]
        assert done["attempts"] == 1  # not retried: the repair call already had its chance
    else:
        assert done["error"] is None


async def test_a_run_whose_operations_were_all_rejected_is_an_error(extract_client, llm):
    llm.script({"operations": [EMPTY_CONTENT]}, {"operations": [EMPTY_CONTENT]})
    await extract_client.post("/threads", json={"thread_id": "t9",
                                                "metadata": {"user_id": "alice"}})
    run = (await extract_client.post("/threads/t9/runs", json=run_body("I like dogs."))).json()
    done = await wait_for_run(extract_client, "t9", run["run_id"], "success", "error")
    assert done["status"] == "error" and REQUIRED in done["error"]
    assert done["result"]["outcome"] == "rejected"
    joined = (await extract_client.get(f"/threads/t9/runs/{run['run_id']}/join")).json()
    assert joined["__error__"]["error"] == "error" and REQUIRED in joined["__error__"]["message"]
