"""Only a process with a language model takes extraction jobs: a server started without
LLM_MODEL on the same database leaves them queued (and says its worker is off) instead of
failing them for good."""

from tests.jobs.test_background import FACT, job_request, wait_for
from tests.llm_fixtures import llm_settings, open_client


async def close(ctx, client) -> None:
    await client.aclose()
    await ctx.__aexit__(None, None, None)


async def test_a_server_without_a_model_leaves_jobs_for_one_that_has_it(
        settings, embedder, llm, caplog):
    llm.script(default=FACT)
    fast = settings.model_copy(update={"job_poll_interval_seconds": 0.1})
    _, no_model_ctx, no_model = await open_client(fast, embedder)
    try:
        # a second server, with a model, takes submissions; its worker is what runs them
        _, ctx, with_model = await open_client(llm_settings(settings, llm), embedder)
        try:
            jobs = [(await with_model.post("/v1/jobs/extract", json=job_request(
                f"fact {i}", thread=f"t{i}"))).json() for i in range(6)]
            for job in jobs:
                await wait_for(no_model, job["id"], "succeeded")
        finally:
            await close(ctx, with_model)
        ready = (await no_model.get("/readyz")).json()
        assert ready["status"] == "ready" and ready["worker"] == "off"
        assert "LLM_MODEL" in ready["detail"]
        assert "extraction worker off" in caplog.text
        late = (await no_model.post("/v1/jobs/extract", json=job_request("x")))
        assert late.status_code == 503  # and it refuses submissions it could not run
    finally:
        await close(no_model_ctx, no_model)
    assert llm.calls == 6
