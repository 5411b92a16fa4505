"""Every line logged while a request is handled carries its id, in async and sync handlers,
and an unhandled error is answered 500 with the id, logged once with its traceback."""

import io
import json
import logging

import httpx
import pytest

from app.main import create_app
from app.observability.logging import ContextFilter, JsonFormatter, TextFormatter

probe_log = logging.getLogger("tests.probe")


@pytest.fixture
def captured():
    """JSON lines of app.request and the probe routes, through the service's handler."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("app.request"), probe_log]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
async def probe_client(settings, embedder):
    app = create_app(settings, embedder=embedder)

    @app.get("/probe/async/{name}")
    async def async_probe(name: str) -> dict:
        probe_log.info("async handler ran")
        return {}

    @app.get("/probe/sync")
    def sync_probe() -> dict:  # runs in a worker thread
        probe_log.info("sync handler ran")
        return {}

    @app.get("/probe/crash")
    async def crash() -> dict:
        probe_log.info("about to fail")
        raise RuntimeError("boom")

    transport = httpx.ASGITransport(app=app)  # no lifespan: the probes need no database
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


@pytest.mark.parametrize("path, message", [("/probe/async/x", "async handler ran"),
                                           ("/probe/sync", "sync handler ran")])
async def test_lines_logged_by_a_handler_carry_the_request_id(probe_client, captured, path,
                                                              message):
    response = await probe_client.get(path, headers={"X-Request-ID": "req-7"})
    assert response.headers["x-request-id"] == "req-7"
    lines = captured()
    assert [(e["message"], e["request_id"]) for e in lines if e["logger"] == "tests.probe"] \
        == [(message, "req-7")]
    [access] = [e for e in lines if e["logger"] == "app.request"]
    assert access["request_id"] == "req-7" and access["status"] == 200


async def test_an_unhandled_error_is_a_500_with_the_id_logged_once(probe_client, captured):
    response = await probe_client.get("/probe/crash", headers={"X-Request-ID": "req-8"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-8"
    assert response.json() == {"detail": "internal server error"}
    lines = [e for e in captured() if e.get("request_id") == "req-8"]
    assert [e["message"] for e in lines[:2]] == ["about to fail", "unhandled error"]
    assert "RuntimeError: boom" in lines[1]["exception"]
    assert (lines[2]["route"], lines[2]["status"], len(lines)) == ("/probe/crash", 500, 3)


def test_text_format_shows_the_ids_too():
    record = logging.LogRecord("x", logging.INFO, "", 0, "hello", (), None)
    record.request_id, record.job_id = "req-9", None
    assert TextFormatter().format(record).endswith("x: hello [request_id=req-9]")
