"""At most EXTRACTION_MAX_CONCURRENCY LLM calls at once, sync requests and background jobs
together (counted by the fake LLM server); a sync request that finds no slot in time gets
503 with Retry-After."""

import asyncio
import threading
import time

from tests.limits.helpers import limited_client

NS = ["memories", "alice"]
EMPTY = {"operations": []}


def request(i: int, **extra) -> dict:
    return {"messages": [{"role": "user", "content": f"I have {i} cats."}],
            "namespace": NS, **extra}


def held_until(release: threading.Event):
    """An LLM answer that waits (on the fake's own loop) until the test releases it."""

    async def respond(_body):
        while not release.is_set():
            await asyncio.sleep(0.01)
        return EMPTY

    return respond


async def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_a_burst_of_sync_and_background_extractions_never_exceeds_the_cap(
        settings, embedder, llm):
    release = threading.Event()
    llm.script(default=held_until(release))
    async with limited_client(settings, embedder, llm, extraction_max_concurrency=2,
                              extraction_concurrency=4, extraction_wait_seconds=60) as client:
        jobs = [await client.post("/v1/jobs/extract", json=request(i, thread_id=f"t{i}"))
                for i in range(4)]
        assert all(j.status_code == 202 for j in jobs)
        sync = [asyncio.create_task(client.post("/v1/extract", json=request(10 + i)))
                for i in range(4)]
        await wait_until(lambda: llm.in_flight == 2)  # the cap is reached...
        await asyncio.sleep(0.3)  # ...and the other six stay queued behind it meanwhile
        assert llm.in_flight == 2
        release.set()
        assert [r.status_code for r in await asyncio.gather(*sync)] == [200] * 4

        async def all_jobs_done() -> bool:
            listed = (await client.get("/v1/jobs")).json()["jobs"]
            return all(j["status"] == "succeeded" for j in listed)

        deadline = time.monotonic() + 30
        while not await all_jobs_done():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
    assert llm.calls == 8
    assert llm.max_in_flight == 2


async def test_a_sync_request_without_a_free_slot_gets_503_with_retry_after(
        settings, embedder, llm):
    release = threading.Event()
    llm.script(held_until(release), default=EMPTY)
    async with limited_client(settings, embedder, llm, extraction_max_concurrency=1,
                              extraction_wait_seconds=0) as client:
        first = asyncio.create_task(client.post("/v1/extract", json=request(1)))
        await wait_until(lambda: llm.in_flight == 1)
        refused = await client.post("/v1/extract", json=request(2))
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert "EXTRACTION_MAX_CONCURRENCY" in refused.json()["detail"]
        release.set()
        assert (await first).status_code == 200
        # the slot is free again
        assert (await client.post("/v1/extract", json=request(3))).status_code == 200
    assert llm.calls == 2
