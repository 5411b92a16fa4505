"""TTL in minutes: expired items vanish from every read at once, and the sweeper deletes them."""

import asyncio

import httpx
import psycopg
import pytest

from app.main import create_app

NS = ["memories", "alice"]
TTL_MINUTES = 0.02  # 1.2 seconds


@pytest.fixture
async def fast_sweeping_client(settings, embedder):
    app = create_app(settings.model_copy(update={"ttl_sweep_interval_seconds": 0.2}),
                     embedder=embedder)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


def rows_in_store(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM store").fetchone()[0]


async def test_expired_items_disappear_and_are_swept(fast_sweeping_client, database_url):
    client = fast_sweeping_client
    await client.post("/v1/memories", json={"namespace": NS, "key": "short",
                                            "content": "temporary note", "ttl": TTL_MINUTES})
    await client.post("/v1/memories", json={"namespace": NS, "key": "forever",
                                            "content": "permanent note"})
    params = {"namespace": "memories.alice"}
    assert (await client.get("/v1/memories/short", params=params)).status_code == 200

    # Poll until the sweeper has deleted the row; reads must hide it from the moment it expires.
    for _ in range(100):
        await asyncio.sleep(0.1)
        if rows_in_store(database_url) == 1:
            break
    assert rows_in_store(database_url) == 1
    assert (await client.get("/v1/memories/short", params=params)).status_code == 404
    found = await client.post("/v1/search", json={"query": "note", "namespace_prefix": NS})
    assert [i["key"] for i in found.json()["items"]] == ["forever"]


async def test_reading_refreshes_the_ttl(client, store):
    await client.post("/v1/memories", json={"namespace": NS, "key": "k", "content": "x",
                                            "ttl": 10})
    first = (await store.get_items(tuple(NS), ["k"], refresh_ttl=False))["k"].expires_at
    await asyncio.sleep(0.05)
    await client.get("/v1/memories/k", params={"namespace": "memories.alice"})
    second = (await store.get_items(tuple(NS), ["k"], refresh_ttl=False))["k"].expires_at
    assert second > first


async def test_expired_but_unswept_items_are_hidden(client, store, database_url):
    await client.post("/v1/memories", json={"namespace": NS, "key": "k", "content": "x",
                                            "ttl": 10})
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE store SET expires_at = now() - interval '1 second'")
    assert (await client.get("/v1/memories/k", params={"namespace": "memories.alice"})
            ).status_code == 404
    assert (await client.post("/v1/search", json={"query": "x"})).json()["items"] == []
    assert (await client.get("/store/items", params={"namespace": "memories.alice",
                                                     "key": "k"})).json() is None
