"""GET /metrics after some traffic, parsed as Prometheus reads it. The registry is the
process's, shared with earlier tests, so every check is on the change between two scrapes."""

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.main import create_app
from tests.fakes.llm_server import Failure
from tests.jobs.test_background import FACT, job_request, wait_for
from tests.llm_fixtures import NS, conversation

Samples = dict[tuple[str, frozenset], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    # text format 0.0.4 unless asked for another: every Prometheus version reads it
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def change(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0) - before.get(key, 0)


def label_values(samples: Samples) -> set[str]:
    return {value for _, labels in samples for _, value in labels}


async def test_requests_are_counted_by_route_template_never_by_path(client, embedder):
    before = await scrape(client)
    calls_before = embedder.calls
    created = await client.post("/v1/memories", json={
        "namespace": ["memories", "alice"], "key": "secret-key-1", "content": "Likes tea"})
    assert created.status_code == 201
    await client.post("/v1/memories/batch", json={"items": [
        {"namespace": ["memories", "alice"], "content": f"fact {i}"} for i in range(3)]})
    assert (await client.get("/v1/memories/secret-key-1",
                             params={"namespace": "memories.alice"})).status_code == 200
    assert (await client.get("/v1/memories/secret-key-2",
                             params={"namespace": "memories.alice"})).status_code == 404
    assert (await client.get("/nowhere/alice")).status_code == 404
    after = await scrape(client)

    def requests(method: str, route: str, status_class: str) -> float:
        return change(before, after, "http_request_duration_seconds_count", method=method,
                      route=route, status_class=status_class)

    assert requests("POST", "/v1/memories", "2xx") == 1
    assert requests("POST", "/v1/memories/batch", "2xx") == 1
    assert requests("GET", "/v1/memories/{key:path}", "2xx") == 1
    assert requests("GET", "/v1/memories/{key:path}", "4xx") == 1
    assert requests("GET", "unmatched", "4xx") == 1
    assert requests("GET", "/metrics", "2xx") == 1  # the first scrape
    for value in label_values(after):  # no namespace, key or raw path in any label
        assert "alice" not in value and "secret-key" not in value

    model = {"provider": "fastembed", "model": "sentence-transformers/all-MiniLM-L6-v2"}
    assert change(before, after, "embedder_calls_total", **model) == embedder.calls - calls_before
    assert change(before, after, "embedder_texts_total", **model) == 4  # one text per memory
    assert change(before, after, "embedder_call_duration_seconds_count", **model) \
        == embedder.calls - calls_before


async def test_llm_calls_tokens_and_jobs_are_counted(extract_client, llm):
    model = {"provider": "openai", "model": "gpt-4o-mini"}
    before = await scrape(extract_client)
    llm.script(FACT, Failure(400, message="bad request"))
    request = {"messages": conversation("I like dogs"), "namespace": NS}
    assert (await extract_client.post("/v1/extract", json=request)).status_code == 200
    assert (await extract_client.post("/v1/extract", json=request)).status_code == 502
    after = await scrape(extract_client)

    assert change(before, after, "llm_calls_total", outcome="ok", **model) == 1
    assert change(before, after, "llm_calls_total", outcome="error", **model) == 1
    assert change(before, after, "llm_call_duration_seconds_count", **model) == 2
    # what the provider reported, as the fake server counted it
    assert change(before, after, "llm_tokens_total", type="prompt", **model) == llm.prompt_tokens
    assert change(before, after, "llm_tokens_total", type="completion", **model) \
        == llm.completion_tokens > 0

    llm.script(FACT)
    job = (await extract_client.post("/v1/jobs/extract",
                                     json=job_request("I have a cat"))).json()
    await wait_for(extract_client, job["id"], "succeeded")
    jobs = await scrape(extract_client)
    assert change(after, jobs, "extraction_job_duration_seconds_count", outcome="succeeded") == 1
    assert change(after, jobs, "extraction_job_duration_seconds_count", outcome="failed") == 0


@pytest.mark.parametrize("enabled, status", [(True, 200), (False, 404)])
async def test_metrics_can_be_turned_off(settings, embedder, enabled, status):
    app = create_app(settings.model_copy(update={"metrics_enabled": enabled}), embedder=embedder)
    transport = httpx.ASGITransport(app=app)  # no lifespan: /metrics needs no database
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/metrics")).status_code == status
