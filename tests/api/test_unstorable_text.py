"""Text PostgreSQL cannot store (found by tests/fuzz): a NUL character anywhere, or an unpaired
surrogate escape in a JSON body, is a 422 naming where it is, never a 500, and stores nothing."""

from typing import Annotated

import httpx
import pytest
from fastapi import Body, FastAPI

from app.errors import install_error_handler

NS = ["memories", "alice"]
JSON = {"content-type": "application/json"}


async def nothing_stored(client) -> bool:
    listed = await client.get("/v1/memories", params={"namespace": "memories.alice"})
    return listed.json()["items"] == []


@pytest.mark.parametrize("method, path, body, where", [
    ("POST", "/v1/memories", '{"namespace": ["memories", "alice"], "content": "a\\u0000b"}',
     "body.content"),
    ("POST", "/v1/memories", '{"namespace": ["memories", "alice"], "content": "a\\udbd7"}',
     "body.content"),
    ("POST", "/v1/memories",
     '{"namespace": ["memories", "alice"], "kind": "K", "content": {"n\\u0000": 1}}',
     "body.content.n\\u0000"),
    ("PUT", "/store/items",
     '{"namespace": ["memories", "alice"], "key": "k", "value": {"content": "\\ud800"}}',
     "body.value.content"),
    ("POST", "/v1/search", '{"query": "\\udbd7\\u0000"}', "body.query"),
    ("POST", "/v1/tools/execute",
     '{"name": "manage_memory", "arguments": {"content": "a\\u0000"}, '
     '"config": {"user_id": "alice"}}', "body.arguments.content"),
])
async def test_unstorable_text_in_a_body_is_422(client, method, path, body, where):
    response = await client.request(method, path, content=body.encode(), headers=JSON)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(f"{where} contains ")
    assert await nothing_stored(client)


@pytest.mark.parametrize("url, fragment", [
    ("/v1/memories/a%00b?namespace=memories.alice", "path.key contains the NUL character"),
    ("/v1/jobs?thread_id=t%00", "query.thread_id contains the NUL character"),
    ("/v1/stats?prefix=memories.a%00", "query.prefix contains the NUL character"),
    ("/v1/export?prefix=memories.a%00", "query.prefix contains the NUL character"),
])
async def test_a_nul_in_the_path_or_query_is_422(client, url, fragment):
    response = await client.get(url)
    assert response.status_code == 422, response.text
    assert fragment in response.json()["detail"]


async def test_a_nul_or_surrogate_in_a_namespace_label_is_422_at_every_door(client):
    response = await client.post("/v1/forget", content=b'{"namespace_prefix": ["\\udbd7"]}',
                                 headers=JSON)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "body.namespace_prefix[0] contains an unpaired surrogate (\\udbd7)")


async def test_an_error_that_echoes_a_surrogate_still_renders():
    # FastAPI's validation errors echo the input; one UTF-8 cannot encode made the answer
    # itself fail with a 500 (a max_length str field refuses a lone surrogate)
    app = FastAPI()
    install_error_handler(app)

    @app.post("/echo")
    async def echo(body: Annotated[str, Body(embed=True, max_length=10)]) -> str:
        return body

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as bare:
        response = await bare.post("/echo", content=b'{"body": "a\\udbd7"}', headers=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["input"] == "a?"


@pytest.mark.parametrize("arguments, where", [
    ('{"content": "a\\u0000b"}', "arguments.content contains the NUL character"),
    ('{"content": "a\\ud800b"}', "arguments.content contains an unpaired surrogate (\\ud800)"),
    ('{"action": "update", "id": "k\\u0000", "content": "x"}', "arguments.id contains the NUL"),
])
async def test_unstorable_text_in_tool_argument_text_is_422(client, arguments, where):
    # OpenAI sends arguments as JSON text: the body's guard sees only escapes in a string
    response = await client.post("/v1/tools/execute", json={
        "name": "manage_memory", "arguments": arguments, "config": {"user_id": "alice"}})
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(where)
    assert await nothing_stored(client)
