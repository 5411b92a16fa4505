"""The served process logs one JSON object a line; each request once, with its request id;
each job run with its job id."""

import json
import re

import httpx
import pytest

from tests.conftest import fresh_database
from tests.fakes.llm_server import FakeLLMServer
from tests.jobs.test_background import FACT, job_request
from tests.jobs.test_durability import wait_for
from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env

UNSAFE_ID = 'trace 42\t"<script>"é' + "x" * 200  # blanks, quotes, markup, non-ASCII, too long
SAFE_ID = ("trace42script" + "x" * 200)[:128]


@pytest.fixture(scope="module")
def served_lines(pg_admin_url, template_db):
    """Traffic against a live server (LOG_FORMAT unset: its stderr is no terminal, so JSON),
    then every line it wrote, parsed. Its own fake LLM: a server another module left with a
    job still due cannot take this one's scripted answer."""
    with FakeLLMServer() as fake_llm, fresh_database(pg_admin_url, template_db) as url, \
            LiveServer.start(live_server_env(url, fake_llm)) as server:
        fake_llm.script(FACT)
        given = httpx.get(f"{server.url}/v1/memories/k1", params={"namespace": "memories.alice"},
                          headers={"X-Request-ID": UNSAFE_ID.encode()})
        made = httpx.get(f"{server.url}/v1/memories/k2", params={"namespace": "memories.bob"})
        submitted = httpx.post(f"{server.url}/v1/jobs/extract", json=job_request("I like dogs"))
        wait_for(server.url, submitted.json()["id"], "succeeded")
        output = server.output()
    lines = []
    for line in output.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}")
    return given, made, submitted, lines


def request_lines(lines: list[dict], request_id: str) -> list[dict]:
    return [e for e in lines if e.get("request_id") == request_id and e["logger"] == "app.request"]


def test_a_client_request_id_is_sanitised_echoed_and_logged_once(served_lines):
    given, _, _, lines = served_lines
    assert given.status_code == 404
    assert given.headers["x-request-id"] == SAFE_ID
    [entry] = request_lines(lines, SAFE_ID)
    assert {k: entry[k] for k in ("level", "method", "route", "status")} == {
        "level": "info", "method": "GET", "route": "/v1/memories/{key:path}", "status": 404}
    assert entry["duration_ms"] > 0
    assert "alice" not in json.dumps(entry) and "k1" not in json.dumps(entry)  # no raw path
    assert "trace_id" not in entry and "span_id" not in entry  # tracing is off


def test_a_request_without_an_id_gets_one(served_lines):
    _, made, submitted, lines = served_lines
    for response in (made, submitted):
        request_id = response.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)
        assert len(request_lines(lines, request_id)) == 1
    [entry] = request_lines(lines, submitted.headers["x-request-id"])
    assert (entry["method"], entry["route"], entry["status"]) == ("POST", "/v1/jobs/extract", 202)
    # a library's line written while the request was handled carries its id too
    [deferred] = [e for e in lines if e.get("action") == "jobs_deferred"]
    assert deferred["request_id"] == submitted.headers["x-request-id"]


def test_job_runs_log_their_job_id(served_lines):
    *_, submitted, lines = served_lines
    job_id = submitted.json()["id"]
    [entry] = [e for e in lines if e.get("job_id") == job_id and e.get("outcome")]
    assert (entry["logger"], entry["outcome"]) == ("app.jobs.queue", "succeeded")


def test_uvicorn_access_log_is_off_and_its_own_lines_are_json(served_lines):
    *_, lines = served_lines
    loggers = {e["logger"] for e in lines}
    assert "uvicorn.access" not in loggers
    assert "uvicorn.error" in loggers  # "Uvicorn running on ...", through our formatter
