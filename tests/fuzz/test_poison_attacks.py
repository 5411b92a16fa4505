"""Hand-made attacks the schema fuzzer does not think of, against the real server: poison
values at every door. Each must be a 4xx (or a 2xx that rejects the bad line), none a 5xx,
and the server logs no error for them (a 500 logged a traceback per request, for anyone)."""

import json

import httpx
import pytest

from tests.fuzz.conftest import ADMIN_KEY, bearer

JSON = {"content-type": "application/json"}
ALICE = '"namespace": ["memories", "alice"]'


def nested(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


ATTACKS = [
    ("PUT", "/store/items", f'{{{ALICE}, "key": "d", "value": {nested(256)}}}'),
    ("PUT", "/store/items", f'{{{ALICE}, "key": "d", "value": {nested(900)}}}'),
    ("POST", "/v1/memories", f'{{{ALICE}, "kind": "K", "content": {nested(300)}}}'),
    ("POST", "/v1/memories", f'{{{ALICE}, "content": "x", "ttl": NaN}}'),
    ("POST", "/v1/memories", f'{{{ALICE}, "kind": "K", "content": {{"n": 1e400}}}}'),
    ("POST", "/v1/search", '{"query": "x", "filter": {"n": {"$lt": -Infinity}}}'),
    ("PUT", "/store/items", f'{{{ALICE}, "key": "{"k" * 3000}", "value": {{}}}}'),
    ("PUT", "/store/items", f'{{{ALICE}, "key": "{"語" * 1024}", "value": {{}}}}'),
    ("POST", "/v1/tools/execute", json.dumps({
        "name": "manage_memory", "config": {"user_id": "alice"},
        "arguments": '{"content": "a\\u0000b"}'})),
    ("POST", "/v1/tools/execute", json.dumps({
        "name": "search_memory", "config": {"user_id": "alice"},
        "arguments": '{"query": "x", "filter": ' + nested(5000) + "}"})),
    ("POST", "/mcp?user_id=alice", '{"jsonrpc": "2.0", "id": 1, "method": "tools/call", '
     '"params": {"name": "manage_memory", "arguments": {"content": "a\\u0000"}}}'),
]


@pytest.mark.parametrize("method, path, body", ATTACKS, ids=range(len(ATTACKS)))
def test_poison_is_refused_with_a_4xx(fuzz_server, method, path, body):
    headers = {**bearer(ADMIN_KEY), **JSON, "accept": "application/json, text/event-stream"}
    response = httpx.request(method, fuzz_server.url + path, content=body.encode(),
                             headers=headers, timeout=60)
    assert response.status_code < 500, response.text
    assert "PostgreSQL" not in response.text and "psycopg" not in response.text


def test_a_poisoned_import_rejects_its_lines_by_number(fuzz_server):
    lines = [f'{{{ALICE}, "key": "i{i}", "value": {{"n": {i}}}}}' for i in range(600)]
    lines[100] = f'{{{ALICE}, "key": "deep", "value": {nested(300)}}}'
    lines[550] = f'{{{ALICE}, "key": "nan", "value": {{"n": NaN}}}}'
    response = httpx.post(f"{fuzz_server.url}/v1/import", headers=bearer(ADMIN_KEY),
                          content="\n".join(lines).encode() + b"\n\xff\xfe\n", timeout=60)
    assert response.status_code == 200, response.text
    assert [r["line"] for r in response.json()["rejected"]] == [101, 551, 601]


def test_a_nul_in_a_page_path_is_a_quiet_404(fuzz_server):
    for _ in range(3):
        assert httpx.get(f"{fuzz_server.url}/ui/x%00").status_code == 404


def test_no_attack_logged_an_error(fuzz_server):
    errors = [line for line in fuzz_server.output().splitlines()
              if '"level": "error"' in line or "Traceback" in line]
    assert errors == []
