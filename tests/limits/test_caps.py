"""Caps on page size, batch items and messages: 422 naming the cap and its setting, in every
door, before anything is stored, queued or sent to the LLM."""

import pytest

from tests.limits.helpers import limited_client

NS = ["memories", "alice"]
PAGED = [  # (method, path, params or body) with limit 6 > MAX_PAGE_SIZE 5
    ("GET", "/v1/memories", {"namespace": "memories.alice", "limit": 6}),
    ("POST", "/v1/search", {"namespace_prefix": NS, "query": "x", "limit": 6}),
    ("GET", "/v1/namespaces", {"limit": 6}),
    ("GET", "/v1/history", {"namespace": "memories.alice", "key": "k", "limit": 6}),
    ("GET", "/v1/jobs", {"limit": 6}),
    ("GET", "/threads/t1/runs", {"limit": 6}),
    ("POST", "/store/items/search", {"namespace_prefix": NS, "limit": 6}),
    ("POST", "/store/namespaces", {"limit": 6}),
]


async def send(client, method, path, data):
    if method == "GET":
        return await client.get(path, params=data)
    return await client.post(path, json=data)


async def test_page_size_cap_in_every_door(settings, embedder):
    async with limited_client(settings, embedder, max_page_size=5) as client:
        await client.post("/threads", json={"thread_id": "t1"})
        for method, path, data in PAGED:
            response = await send(client, method, path, data)
            assert response.status_code == 422, (path, response.text)
            assert "MAX_PAGE_SIZE" in response.json()["detail"], path
            at_cap = {**data, "limit": 5}
            assert (await send(client, method, path, at_cap)).status_code == 200, path
        tool = await client.post("/v1/tools/execute", json={
            "name": "search_memory", "arguments": {"query": "x", "limit": 6},
            "config": {"user_id": "alice"}})
        assert tool.status_code == 422 and "maximum of 5" in tool.json()["detail"]


async def test_batch_items_cap(settings, embedder):
    async with limited_client(settings, embedder, max_batch_items=3) as client:
        items = [{"namespace": NS, "content": f"fact {i}"} for i in range(4)]
        response = await client.post("/v1/memories/batch", json={"items": items})
        assert response.status_code == 422
        assert "MAX_BATCH_ITEMS" in response.json()["detail"]
        assert (await client.get("/v1/memories", params={"namespace": "memories.alice"})
                ).json()["items"] == []
        assert (await client.post("/v1/memories/batch",
                                  json={"items": items[:3]})).status_code == 201


def conversation(n: int) -> list[dict]:
    return [{"role": "user", "content": f"message {i}"} for i in range(n)]


@pytest.mark.parametrize("door", ["extract", "jobs", "runs", "tool"])
async def test_message_count_cap_in_every_extraction_door(settings, embedder, llm, door):
    async with limited_client(settings, embedder, llm, max_extraction_messages=3) as client:
        messages = conversation(4)
        template = {"namespace": NS}
        if door == "extract":
            response = await client.post("/v1/extract", json={"messages": messages,
                                                              **template})
        elif door == "jobs":
            response = await client.post("/v1/jobs/extract", json={
                "messages": messages, "thread_id": "t", **template})
        elif door == "runs":
            response = await client.post("/runs", json={
                "assistant_id": "memory", "input": {"messages": messages},
                "config": {"configurable": {"user_id": "alice"}}})
        else:
            response = await client.post("/v1/tools/execute", json={
                "name": "extract_memories", "arguments": {"messages": messages},
                "config": {"user_id": "alice"}})
        assert response.status_code == 422, response.text
        assert "MAX_EXTRACTION_MESSAGES" in response.json()["detail"]
        assert (await client.get("/v1/jobs")).json()["jobs"] == []
        assert llm.calls == 0
