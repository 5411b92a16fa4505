"""Background extraction: queued, debounced per thread, cancellable, retried, failed clearly."""

import asyncio

import psycopg

from tests.fakes.llm_server import Failure, user_text
from tests.llm_fixtures import NS, conversation, llm_settings, open_client

FACT = {"operations": [{"action": "insert", "kind": "Memory",
                        "content": {"content": "User likes dogs"}}]}


def job_request(*texts: str, thread: str = "t1", after: float = 0, **extra) -> dict:
    return {"messages": conversation(*texts), "namespace": ["memories", "{user_id}"],
            "config": {"user_id": "alice"}, "thread_id": thread, "after_seconds": after,
            **extra}


async def wait_for(client, job_id: str, *statuses: str, timeout: float = 20) -> dict:
    for _ in range(int(timeout / 0.1)):
        job = (await client.get(f"/v1/jobs/{job_id}")).json()
        if job["status"] in statuses:
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['status']}: {job}")


async def test_a_queued_job_runs_and_records_its_result(extract_client, llm, database_url):
    llm.script(FACT)
    response = await extract_client.post("/v1/jobs/extract", json=job_request("I like dogs"))
    assert response.status_code == 202
    queued = response.json()
    assert queued["status"] == "queued" and queued["namespace"] == NS
    done = await wait_for(extract_client, queued["id"], "succeeded")
    assert done["attempts"] == 1 and done["finished_at"]
    created = done["result"]["created"]
    assert created[0]["value"]["content"]["content"] == "User likes dogs"
    with psycopg.connect(database_url) as conn:
        sources = conn.execute("SELECT source, job_id FROM memory_history").fetchall()
    assert sources == [("extraction", queued["id"])]


async def test_three_quick_submissions_on_a_thread_make_one_run_on_the_latest(
        extract_client, llm):
    llm.script(FACT)
    ids = []
    for i in range(3):
        texts = [f"message {n}" for n in range(i + 1)]
        job = (await extract_client.post("/v1/jobs/extract",
                                          json=job_request(*texts, after=1.0))).json()
        ids.append(job["id"])
    last = await wait_for(extract_client, ids[-1], "succeeded")
    first, second = [(await extract_client.get(f"/v1/jobs/{i}")).json() for i in ids[:2]]
    assert first["status"] == second["status"] == "cancelled"
    assert first["superseded_by"] == ids[1] and second["superseded_by"] == ids[2]
    assert llm.calls == 1
    assert "message 2" in user_text(llm.llm_requests[0].body)
    assert last["result"]["created"]


async def test_threads_are_independent(extract_client, llm):
    llm.script(FACT, {"operations": []})
    a = (await extract_client.post("/v1/jobs/extract", json=job_request("a", thread="a"))).json()
    b = (await extract_client.post("/v1/jobs/extract", json=job_request("b", thread="b"))).json()
    await wait_for(extract_client, a["id"], "succeeded")
    await wait_for(extract_client, b["id"], "succeeded")
    assert llm.calls == 2


async def test_cancelled_job_never_runs(extract_client, llm):
    llm.script(FACT)
    job = (await extract_client.post("/v1/jobs/extract", json=job_request("x", after=2))).json()
    cancelled = await extract_client.post(f"/v1/jobs/{job['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    again = await extract_client.post(f"/v1/jobs/{job['id']}/cancel")
    assert again.status_code == 409
    await asyncio.sleep(2.5)
    assert llm.calls == 0
    assert (await extract_client.get(f"/v1/jobs/{job['id']}")).json()["status"] == "cancelled"


async def test_transient_model_failure_is_retried_by_the_queue(extract_client, llm):
    llm.script(Failure(status=503, times=1), FACT)  # the SDK retries are off in these tests
    job = (await extract_client.post("/v1/jobs/extract", json=job_request("x"))).json()
    done = await wait_for(extract_client, job["id"], "succeeded")
    assert done["attempts"] == 2


async def test_permanent_model_failure_fails_the_job_with_the_error(extract_client, llm):
    llm.script(Failure(status=401))
    job = (await extract_client.post("/v1/jobs/extract", json=job_request("x"))).json()
    failed = await wait_for(extract_client, job["id"], "failed")
    assert "401" in failed["error"] and failed["attempts"] == 1


async def test_retries_stop_after_the_attempt_cap(settings, embedder, llm):
    app, ctx, client = await open_client(llm_settings(settings, llm, job_max_attempts=2),
                                         embedder)
    try:
        llm.script(default=Failure(status=500))
        job = (await client.post("/v1/jobs/extract", json=job_request("x"))).json()
        failed = await wait_for(client, job["id"], "failed")
        assert failed["attempts"] == 2 and "500" in failed["error"]
    finally:
        await client.aclose()
        await ctx.__aexit__(None, None, None)


async def test_list_jobs_by_thread_and_status(extract_client, llm):
    llm.script(FACT)
    job = (await extract_client.post("/v1/jobs/extract", json=job_request("x"))).json()
    await wait_for(extract_client, job["id"], "succeeded")
    listed = (await extract_client.get("/v1/jobs", params={
        "namespace": "memories", "thread_id": "t1", "status": "succeeded"})).json()
    assert [j["id"] for j in listed["jobs"]] == [job["id"]]


async def test_submit_checks_input_and_model_up_front(extract_client, client):
    missing = await extract_client.post("/v1/jobs/extract", json={
        **job_request("x"), "config": {}})
    assert missing.status_code == 422 and "user_id" in missing.json()["detail"]
    no_model = await client.post("/v1/jobs/extract", json=job_request("x"))
    assert no_model.status_code == 503
    unknown = await extract_client.get("/v1/jobs/00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404
