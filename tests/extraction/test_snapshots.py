"""The debounce compares content, not arrival: an earlier snapshot of a queued or running
conversation never replaces it."""

import pytest

from app.extraction.snapshots import is_earlier_snapshot
from tests.jobs.test_background import job_request, wait_for


def turns(*texts: str, ids: bool = False) -> list[dict]:
    return [{"role": "user", "content": t, **({"id": f"id-{t}"} if ids else {})}
            for t in texts]


@pytest.mark.parametrize("new, pending, stale", [
    (turns("a", "b"), turns("a", "b", "c"), True),  # a prefix
    (turns("a", "b", "c"), turns("a", "b", "c"), True),  # the same messages
    (turns("a", "b", "c"), turns("a", "b"), False),  # grown
    (turns("b", "c"), turns("a", "b", "c", "d"), True),  # inside it
    (turns("a", "b", "c"), turns("b", "c", "d"), True),  # an older window
    (turns("c", "d", "e"), turns("a", "b", "c", "d"), False),  # the window moved on
    (turns("x", "y"), turns("a", "b"), False),  # another conversation: arrival wins
    (turns("a", "ok"), turns("ok", "c"), False),  # one repeated text proves nothing...
    (turns("a", "b", ids=True), turns("b", "c", ids=True), True),  # ...one shared id does
])
def test_which_submission_is_the_earlier_snapshot(new, pending, stale):
    assert is_earlier_snapshot(new, pending) is stale


def test_ids_win_over_text():
    edited = [{"role": "user", "content": "I like cats", "id": "1"}]
    assert is_earlier_snapshot(edited, [{"role": "user", "content": "I like dogs", "id": "1"},
                                        {"role": "assistant", "content": "ok", "id": "2"}])


async def test_an_earlier_snapshot_arriving_last_does_not_replace_the_pending_job(
        extract_client, llm):
    llm.script(default={"operations": []})
    newest = (await extract_client.post("/v1/jobs/extract", json=job_request(
        "I adopted a dog", "Lovely!", "His name is Fido", after=1))).json()
    older = (await extract_client.post("/v1/jobs/extract", json=job_request(
        "I adopted a dog", "Lovely!", after=1))).json()
    assert older["status"] == "cancelled" and older["superseded_by"] == newest["id"]
    assert f"earlier snapshot of the conversation job {newest['id']}" in older["error"]
    await wait_for(extract_client, newest["id"], "succeeded")
    assert llm.calls == 1 and "His name is Fido" in str(llm.llm_requests[0].body)
    grown = (await extract_client.post("/v1/jobs/extract", json=job_request(
        "I adopted a dog", "Lovely!", "His name is Fido", "Nice", "He is 3", after=1))).json()
    assert grown["status"] == "queued"  # nothing pending to compare with: it runs
