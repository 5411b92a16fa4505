"""Poison at /mcp (raw JSON-RPC, as any client may send it): a NUL, NaN or a deep value in a
tool's arguments is an error result saying what to fix, never the database's own error text;
and at LOG_LEVEL=debug no memory content reaches the log (the SSE library logged every
response chunk)."""

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import fresh_database, model_path
from tests.live_server import LiveServer

HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
SECRET = "User's safe code is 7142-Zebra"


@pytest.fixture(scope="module")
def debug_server(pg_admin_url, template_db) -> Iterator[LiveServer]:
    with fresh_database(pg_admin_url, template_db) as url, LiveServer.start({
            "DATABASE_URL": url, "EMBEDDING_MODEL_PATH": model_path() or "",
            "LOG_LEVEL": "debug"}) as server:
        yield server


def call(server: LiveServer, name: str, arguments: str) -> httpx.Response:
    body = ('{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": '
            + json.dumps(name) + ', "arguments": ' + arguments + "}}")
    return httpx.post(f"{server.url}/mcp?user_id=alice", content=body.encode(),
                      headers=HEADERS, timeout=30)


def result(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    data = next(line for line in response.text.splitlines() if line.startswith("data: "))
    return json.loads(data.removeprefix("data: "))["result"]


@pytest.mark.parametrize("name, arguments, says", [
    ("manage_memory", '{"content": "a\\u0000b"}', "arguments.content contains the NUL"),
    ("manage_memory", '{"action": "update", "id": "k\\u0000", "content": "x"}',
     "arguments.id contains the NUL"),
    ("search_memory", '{"query": "x", "limit": NaN}', "arguments.limit is NaN"),
    ("search_memory", '{"query": "x", "filter": {"p": {"$gt": 1e400}}}',
     "arguments.filter.p.$gt is Infinity"),
    ("search_memory", '{"query": "x", "filter": ' + '{"a": ' * 100 + "1" + "}" * 101,
     "MAX_VALUE_DEPTH"),
])
def test_poison_in_tool_arguments_is_an_error_result_saying_why(debug_server, name,
                                                                 arguments, says):
    answer = result(call(debug_server, name, arguments))
    assert answer["isError"] is True
    assert says in answer["content"][0]["text"]


def test_arguments_too_deep_to_parse_are_a_protocol_error(debug_server):
    response = call(debug_server, "search_memory",
                    '{"query": "x", "filter": ' + '{"a": ' * 300 + "1" + "}" * 300 + "}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32700  # JSON-RPC's parse error


def test_memory_content_stays_out_of_the_debug_log(debug_server):
    created = result(call(debug_server, "manage_memory", json.dumps({"content": SECRET})))
    assert not created["isError"]
    found = result(call(debug_server, "search_memory", '{"query": "safe code"}'))
    assert SECRET in found["content"][0]["text"]
    log = debug_server.output()
    assert '"level": "debug"' in log  # the server does log at debug
    assert "7142-Zebra" not in log
