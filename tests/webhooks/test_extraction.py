"""An extraction job's end is an event (with what it created, or why it failed), and the
memories it wrote are memory events naming the job."""

import pytest

from tests.fakes.llm_server import Failure
from tests.llm_fixtures import llm_settings
from tests.webhooks.conftest import open_hook_client, received, register

FACT = {"operations": [{"action": "insert", "kind": "Memory",
                        "content": {"content": "User likes dogs"}}]}


def job(text: str, thread: str) -> dict:
    return {"messages": [{"role": "user", "content": text}],
            "namespace": ["memories", "{user_id}"], "config": {"user_id": "alice"},
            "thread_id": thread, "after_seconds": 0}


@pytest.fixture
async def extracting(hook_settings, embedder, llm):
    async with open_hook_client(llm_settings(hook_settings, llm), embedder) as client:
        yield client


async def test_job_succeeded_and_failed_events(extracting, llm, receiver):
    await register(extracting, receiver)
    llm.script(FACT, Failure(status=400))
    ok = (await extracting.post("/v1/jobs/extract", json=job("I like dogs", "t1"))).json()
    got = await received(receiver, 1, "job.succeeded")
    done = got[0].data
    assert done["job_id"] == ok["id"] and done["status"] == "succeeded"
    assert done["namespace"] == ["memories", "alice"] and done["outcome"] == "stored"
    assert [c["value"]["content"]["content"] for c in done["created"]] == ["User likes dogs"]
    assert done["updated"] == done["deleted"] == done["rejected"] == []
    created = (await received(receiver, 1, "memory.created"))[0].data
    assert created["source"] == "extraction" and created["job_id"] == ok["id"]
    bad = (await extracting.post("/v1/jobs/extract", json=job("more", "t2"))).json()
    failed = (await received(receiver, 1, "job.failed"))[0].data
    assert failed["job_id"] == bad["id"] and failed["status"] == "failed" and failed["error"]
