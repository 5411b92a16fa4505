"""One reading of the presented credential for authentication, rate limits and idempotency:
two different credentials on one request are a 400 at every door, and a stored Idempotency-Key
answer is replayed only to a caller who authenticates now."""

import json

import httpx
from pydantic import SecretStr

from app.config import Settings
from app.main import create_app
from tests.auth.conftest import ADMIN_KEY, bearer, create_key
from tests.llm_fixtures import llm_settings, open_client

NS = ["memories", "alice"]
LIST = {"namespace": "memories.alice"}
MCP_INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {},
    "clientInfo": {"name": "t", "version": "1"}}}
MCP_HEADERS = [("accept", "application/json, text/event-stream"),
               ("content-type", "application/json")]


async def _client(settings, embedder, llm, **overrides):
    return await open_client(llm_settings(settings, llm, admin_api_key=SecretStr(ADMIN_KEY),
                                          **overrides), embedder)


async def test_a_second_junk_credential_is_a_400_not_a_way_around_the_rate_limit(
        settings, embedder, llm):
    app, ctx, client = await _client(settings, embedder, llm, rate_limit_per_minute=5)
    try:
        key = await create_key(client, "alice", write=[NS])  # spends none of alice's bucket
        spellings = [
            [("x-api-key", key), ("x-api-key", "junk")],
            [("x-api-key", "junk"), ("x-api-key", key)],
            [("authorization", f"Bearer {key}"), ("x-api-key", "junk")],
            [("authorization", "Bearer junk"), ("x-api-key", key)],
            [("authorization", f"Bearer {key}"), ("authorization", "Bearer junk")],
        ]
        for headers in spellings * 4:
            answer = await client.get("/v1/memories", params=LIST, headers=headers)
            assert answer.status_code == 400, (headers, answer.text)
            assert "one API key" in answer.json()["detail"]
        # the same key alone: its bucket is whole, and then empty
        statuses = [(await client.get("/v1/memories", params=LIST,
                                      headers=bearer(key))).status_code for _ in range(20)]
        assert statuses == [200] * 5 + [429] * 15
    finally:
        await client.aclose()
        await ctx.__aexit__(None, None, None)


async def test_the_same_key_sent_twice_is_one_credential(keyed):
    key = await create_key(keyed, "alice", write=[NS])
    for headers in ([("authorization", f"Bearer {key}"), ("x-api-key", key)],
                    [("x-api-key", key), ("x-api-key", key)]):
        answer = await keyed.get("/v1/memories", params=LIST, headers=headers)
        assert answer.status_code == 200, answer.text


async def test_two_credentials_are_a_400_at_mcp_too(keyed):
    key = await create_key(keyed, "alice", write=[NS])
    answer = await keyed.post("/mcp", content=json.dumps(MCP_INIT), headers=MCP_HEADERS + [
        ("x-api-key", key), ("authorization", "Bearer junk")])
    assert answer.status_code == 400 and "one API key" in answer.json()["detail"]


async def test_a_revoked_key_gets_no_replay(keyed):
    key = await create_key(keyed, "alice", write=[NS])
    headers = {**bearer(key), "Idempotency-Key": "once"}
    body = {"namespace": NS, "content": "alice's secret plan"}
    first = await keyed.post("/v1/memories", json=body, headers=headers)
    assert first.status_code == 201
    key_id = (await keyed.get("/v1/keys", headers=bearer(ADMIN_KEY))).json()
    key_id = next(k["id"] for k in key_id["keys"] if k["name"] == "alice")
    assert (await keyed.delete(f"/v1/keys/{key_id}", headers=bearer(ADMIN_KEY))).is_success
    replay = await keyed.post("/v1/memories", json=body, headers=headers)
    assert replay.status_code == 401, replay.text
    assert "secret plan" not in replay.text
    assert "idempotent-replayed" not in replay.headers


async def test_a_record_made_in_open_access_is_not_replayed_once_keys_exist(
        settings, embedder):
    app = create_app(settings, embedder=embedder)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), \
            httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        body = {"namespace": NS, "content": "said before keys existed"}
        headers = {"Idempotency-Key": "early"}
        assert (await client.post("/v1/memories", json=body,
                                  headers=headers)).status_code == 201
        made = await client.post("/v1/keys", json={"name": "first", "grants": [
            {"prefix": NS, "access": "write"}]})
        assert made.status_code == 201
        replay = await client.post("/v1/memories", json=body, headers=headers)
        assert replay.status_code == 401, replay.text
        assert "before keys existed" not in replay.text
        # the key's holder has no record under that Idempotency-Key: it creates
        mine = await client.post("/v1/memories", json=body, headers={
            **headers, **bearer(made.json()["key"])})
        assert mine.status_code == 201 and "idempotent-replayed" not in mine.headers


async def test_deep_json_with_an_idempotency_key_is_a_4xx(client):
    deep = "[" * 1000 + "]" * 1000
    for path in ("/v1/memories", "/v1/memories/batch", "/v1/extract", "/v1/jobs/extract"):
        answer = await client.post(path, content=deep, headers={
            "content-type": "application/json", "Idempotency-Key": f"deep-{path}"})
        assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text)


def test_every_keyed_operation_documents_the_400_for_two_keys():
    spec = create_app(Settings(_env_file=None)).openapi()
    keyed = [(method, path, op) for path, item in spec["paths"].items()
             for method, op in item.items() if op.get("security")]
    assert len(keyed) > 40
    for method, path, op in keyed:
        assert "two different api keys" in op["responses"]["400"]["description"].lower(), \
            (method, path)
