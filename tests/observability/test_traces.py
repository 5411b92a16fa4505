"""OpenTelemetry traces: a server span per request named by its route, with the request id;
child spans for statement groups, embedding and the LLM call; a job run linked to the request
that queued it; never a user's text in an attribute; nothing at all unless turned on."""

import asyncio
import io
import json
import logging
import time

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from app.observability import tracing
from app.observability.logging import ContextFilter, JsonFormatter
from app.store.embed_batcher import EmbedBatcher
from tests.fakes.llm_server import completion_tokens_for, request_prompt_tokens
from tests.jobs.test_background import job_request, wait_for

MARKER = "zebracorn7731"  # stored, searched and said in a conversation: never in a span
NS = ["memories", "alice"]


@pytest.fixture
def spans():
    """Spans kept in memory, through the test hook (tracing.install)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    yield exporter
    tracing.uninstall()
    provider.shutdown()


def named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == name]


def parent_of(exporter: InMemorySpanExporter, span: ReadableSpan) -> ReadableSpan:
    assert span.parent is not None, f"{span.name} has no parent"
    [found] = [s for s in exporter.get_finished_spans()
               if s.context.span_id == span.parent.span_id]
    return found


def ids(context) -> tuple[int, int]:
    return context.trace_id, context.span_id


def assert_no_user_text(exporter: InMemorySpanExporter) -> None:
    for span in exporter.get_finished_spans():
        texts = [span.name, *map(str, span.attributes.values())]
        texts += [str(v) for e in span.events for v in (e.attributes or {}).values()]
        assert not [t for t in texts if MARKER in t], (span.name, dict(span.attributes))


async def test_a_write_is_a_request_span_with_a_statement_group_and_an_embedding(client, spans):
    response = await client.post("/v1/memories", headers={"X-Request-ID": "req-write-1"},
                                 json={"namespace": NS, "key": "k1",
                                       "content": f"User likes {MARKER}"})
    assert response.status_code == 201, response.text
    [server] = named(spans, "POST /v1/memories")
    assert server.kind is SpanKind.SERVER and server.parent is None
    assert {k: server.attributes[k] for k in (
        "http.request.method", "http.route", "http.response.status_code", "url.path",
        "url.scheme", "server.address", "memory_service.request_id")} == {
        "http.request.method": "POST", "http.route": "/v1/memories",
        "http.response.status_code": 201, "url.path": "/v1/memories", "url.scheme": "http",
        "server.address": "test", "memory_service.request_id": "req-write-1"}
    assert "error.type" not in server.attributes
    [write] = named(spans, "write store")
    assert parent_of(spans, write) is server and write.kind is SpanKind.CLIENT
    assert dict(write.attributes) == {"db.system.name": "postgresql", "db.operation.name": "write",
                                      "db.collection.name": "store"}
    [embedding] = named(spans, "embeddings sentence-transformers/all-MiniLM-L6-v2")
    assert parent_of(spans, embedding) is write
    assert embedding.attributes["gen_ai.operation.name"] == "embeddings"
    assert embedding.attributes["memory_service.embedding.batch_size"] == 1
    assert_no_user_text(spans)


async def test_a_search_and_a_read_are_named_by_route_never_by_path(client, spans):
    await client.post("/v1/memories", json={"namespace": NS, "key": "k1", "content": MARKER})
    spans.clear()
    found = await client.post("/v1/search", json={"query": f"who likes {MARKER}?",
                                                  "namespace_prefix": ["memories"]})
    assert found.status_code == 200 and found.json()
    got = await client.get("/v1/memories/k1", params={"namespace": "memories.alice",
                                                     "q": MARKER})
    assert got.status_code == 200
    [search] = named(spans, "search store")
    assert parent_of(spans, search).name == "POST /v1/search"
    [embedding] = [s for s in spans.get_finished_spans() if s.name.startswith("embeddings")]
    assert parent_of(spans, embedding) is search
    [read] = named(spans, "GET /v1/memories/{key:path}")
    assert read.attributes["url.path"] == "/v1/memories/k1"  # never the query string
    assert parent_of(spans, named(spans, "get store")[0]) is read
    assert_no_user_text(spans)


async def test_log_lines_carry_the_trace_and_span_they_were_written_in(client, spans):
    written = io.StringIO()
    handler = logging.StreamHandler(written)  # as configure_logging's, to a buffer
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root, level = logging.getLogger(), logging.getLogger().level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        got = await client.get("/v1/memories/absent", headers={"X-Request-ID": "req-log-1"},
                               params={"namespace": "memories.alice"})
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert got.status_code == 404
    [line] = [e for e in map(json.loads, written.getvalue().splitlines())
              if e.get("request_id") == "req-log-1" and e["logger"] == "app.request"]
    [server] = named(spans, "GET /v1/memories/{key:path}")
    assert (line["trace_id"], line["span_id"]) == (
        f"{server.context.trace_id:032x}", f"{server.context.span_id:016x}")


async def test_a_client_traceparent_makes_the_request_part_of_its_trace(client, spans):
    trace_id, span_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    await client.get("/v1/memories/nope", params={"namespace": "memories.alice"},
                     headers={"traceparent": f"00-{trace_id}-{span_id}-01"})
    [server] = named(spans, "GET /v1/memories/{key:path}")
    assert format(server.context.trace_id, "032x") == trace_id
    assert format(server.parent.span_id, "016x") == span_id and server.parent.is_remote
    assert server.attributes["http.response.status_code"] == 404
    assert "error.type" not in server.attributes  # a 4xx is the client's, not an error here


async def test_a_5xx_carries_error_type_and_probes_are_not_traced(settings, embedder, spans):
    import httpx

    from app.main import create_app

    app = create_app(settings, embedder=embedder)

    @app.get("/boom/{name}")
    async def boom(name: str) -> dict:
        raise RuntimeError(f"broken by {MARKER}")

    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://svc:8080") as client:
        assert (await client.get(f"/boom/{MARKER}")).status_code == 500
        assert (await client.get("/nowhere")).status_code == 404
        assert (await client.get("/livez")).status_code == 200
    [failed] = named(spans, "GET /boom/{name}")
    assert failed.attributes["error.type"] == "RuntimeError"
    assert failed.attributes["http.response.status_code"] == 500
    assert (failed.attributes["server.address"], failed.attributes["server.port"]) == ("svc", 8080)
    assert failed.status.status_code is StatusCode.ERROR and not failed.status.description
    assert not failed.events  # no exception event: its message may quote the user
    [unmatched] = named(spans, "GET")
    assert "http.route" not in unmatched.attributes
    assert not [s for s in spans.get_finished_spans() if "livez" in s.name]
    # the marker is in this request's path: only url.path may carry it (ids, not content)
    for span in spans.get_finished_spans():
        assert not [k for k, v in span.attributes.items() if MARKER in str(v) and k != "url.path"]


async def wait_for_span(exporter: InMemorySpanExporter, name: str) -> ReadableSpan:
    """A job's span ends just after its status commits, which is what the test waits for."""
    for _ in range(50):
        if found := named(exporter, name):
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no span {name!r}: {[s.name for s in exporter.get_finished_spans()]}")


async def test_a_job_run_links_to_the_request_and_holds_the_llm_call(extract_client, llm, spans):
    answer = {"operations": [{"action": "insert", "kind": "Memory",
                              "content": {"content": f"User likes {MARKER}"}}]}
    llm.script(answer)
    submitted = await extract_client.post("/v1/jobs/extract",
                                          json=job_request(f"I like {MARKER}"))
    assert submitted.status_code == 202
    await wait_for(extract_client, submitted.json()["id"], "succeeded")
    job = await wait_for_span(spans, "process extract_memories")
    [request] = named(spans, "POST /v1/jobs/extract")
    assert job.kind is SpanKind.CONSUMER and job.parent is None  # a trace of its own
    assert [ids(link.context) for link in job.links] == [ids(request.context)]  # ...linked
    assert job.attributes["memory_service.job_id"] == submitted.json()["id"]
    assert job.attributes["memory_service.job.outcome"] == "succeeded"
    [chat] = named(spans, "chat gpt-4o-mini")
    [mine] = [r for r in llm.llm_requests if MARKER in json.dumps(r.body)]
    assert chat.kind is SpanKind.CLIENT and chat.context.trace_id == job.context.trace_id
    assert {k: chat.attributes[k] for k in (
        "gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model",
        "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens")} == {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        # this job's own usage: the fake's totals may count a late call of another file's job
        "gen_ai.usage.input_tokens": request_prompt_tokens(mine.body),
        "gen_ai.usage.output_tokens": completion_tokens_for(answer)}
    assert chat.attributes["gen_ai.usage.input_tokens"] > 0
    [write] = [s for s in named(spans, "write store") if s.context.trace_id == job.context.trace_id]
    assert parent_of(spans, write) is job
    assert_no_user_text(spans)


async def test_a_batched_model_call_serves_two_requests_as_child_of_one_link_of_other(
        embedder, spans):
    batcher = EmbedBatcher(embedder, window_seconds=0.2, max_batch=64)

    async def embed_as(name: str, text: str) -> None:
        with tracing.span(name):
            await batcher.embed([text])

    try:
        await asyncio.gather(embed_as("first", "one text"), embed_as("second", "another text"))
    finally:
        await batcher.aclose()
    [call] = [s for s in spans.get_finished_spans() if s.name.startswith("embeddings")]
    [first] = named(spans, "first")
    [second] = named(spans, "second")
    assert call.attributes["memory_service.embedding.batch_size"] == 2
    assert parent_of(spans, call) is first
    assert [ids(link.context) for link in call.links] == [ids(second.context)]


async def test_nothing_is_traced_unless_turned_on(client, monkeypatch):
    from app.cli_startup import trace_if_enabled
    from app.config import Settings
    from app.observability import otel_sdk

    exporter = InMemorySpanExporter()
    monkeypatch.setattr(otel_sdk, "build_provider", lambda: _kept_in(exporter))
    trace_if_enabled(Settings(_env_file=None))  # the default: OTEL_ENABLED unset
    assert not tracing.enabled()
    await client.post("/v1/memories", json={"namespace": NS, "content": "a fact"})
    assert exporter.get_finished_spans() == ()
    trace_if_enabled(Settings(_env_file=None, otel_enabled=True))
    try:
        await client.post("/v1/memories", json={"namespace": NS, "content": "a fact"})
    finally:
        tracing.uninstall()
    assert named(exporter, "POST /v1/memories")


def _kept_in(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def test_tracing_on_without_the_extra_is_refused_in_two_lines(monkeypatch, capsys):
    import typer

    from app.cli_startup import REFUSED, trace_if_enabled
    from app.config import Settings

    monkeypatch.setitem(__import__("sys").modules, "opentelemetry.sdk.trace", None)
    with pytest.raises(typer.Exit) as refused:
        trace_if_enabled(Settings(_env_file=None, otel_enabled=True))
    assert refused.value.exit_code == REFUSED
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == ["memory-service: OTEL_ENABLED=true but the OpenTelemetry SDK is not "
                     "installed (opentelemetry.sdk.trace is missing)",
                     "install the tracing extra (pip install 'memory-service[otel]'), or unset "
                     "OTEL_ENABLED"]
    assert not tracing.enabled()


def test_spans_are_exported_over_otlp_http_with_the_service_name(monkeypatch):
    """The real exporter, to a local receiver: the SDK reads the standard variables."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    from app.observability.otel_sdk import build_provider
    from tests.observability.otlp_receiver import OtlpReceiver

    with OtlpReceiver() as receiver:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.url)
        monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
        monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test")
        provider = build_provider()
        tracing.install(provider)
        try:
            with tracing.span("probe"):
                time.sleep(0)
            assert provider.force_flush(10_000)
        finally:
            tracing.uninstall()
            provider.shutdown()
        [(path, content_type, body)] = receiver.requests
    assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
    sent = ExportTraceServiceRequest.FromString(body).resource_spans[0]
    resource = {a.key: a.value.string_value for a in sent.resource.attributes}
    assert resource["service.name"] == "memory-service"
    assert resource["deployment.environment.name"] == "test"
    assert [s.name for s in sent.scope_spans[0].spans] == ["probe"]


def test_a_served_process_exports_its_request_spans(database_url):
    """`memory-service serve` with OTEL_ENABLED=true: the SDK started before serving, spans
    exported over OTLP/HTTP in batches (a short OTEL_BSP_SCHEDULE_DELAY: no 5 s wait). About
    20 s: a served process starts and loads the model."""
    import httpx

    from tests.conftest import model_path
    from tests.live_server import LiveServer
    from tests.observability.otlp_receiver import OtlpReceiver

    with OtlpReceiver() as receiver, LiveServer.start({
            "DATABASE_URL": database_url, "EMBEDDING_MODEL_PATH": model_path() or "",
            "OTEL_ENABLED": "true", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": receiver.url,
            "OTEL_SERVICE_NAME": "memory-test", "OTEL_BSP_SCHEDULE_DELAY": "100"}) as server:
        created = httpx.post(f"{server.url}/v1/memories", headers={"X-Request-ID": "live-1"},
                             json={"namespace": NS, "content": f"User likes {MARKER}"})
        assert created.status_code == 201, created.text
        for _ in range(100):
            exported = _exported(receiver.requests)
            if any(name == "POST /v1/memories" for _, name, _ in exported):
                break
            time.sleep(0.1)
    # one server span, ours: FastAPI's native telemetry is not fed by our provider
    [server_span] = [a for _, name, a in exported if name == "POST /v1/memories"]
    assert server_span["memory_service.request_id"] == "live-1"
    assert {"memory-test"} == {service for service, _, _ in exported}
    assert {"write store", "embeddings sentence-transformers/all-MiniLM-L6-v2"} <= {
        name for _, name, _ in exported}
    assert MARKER not in str(exported)


def _exported(requests: list[tuple[str, str, bytes]]) -> list[tuple[str, str, dict]]:
    """(service.name, span name, attributes) of every span the receiver was sent."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    found = []
    for *_, body in requests:
        for batch in ExportTraceServiceRequest.FromString(body).resource_spans:
            [service] = [a.value.string_value for a in batch.resource.attributes
                         if a.key == "service.name"]
            for scope in batch.scope_spans:
                found += [(service, s.name, {a.key: getattr(a.value, a.value.WhichOneof("value"))
                                             for a in s.attributes}) for s in scope.spans]
    return found
