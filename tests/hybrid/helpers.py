"""Requests the hybrid-search tests share."""

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx

from app.main import create_app

MODES = ("semantic", "keyword", "hybrid")


async def search(client: httpx.AsyncClient, prefix, query: str | None, *, mode: str | None = None,
                 limit: int = 10, offset: int = 0, filter: dict | None = None,
                 route: str = "/v1/search") -> list[dict[str, Any]]:
    body: dict[str, Any] = {"namespace_prefix": list(prefix), "limit": limit, "offset": offset}
    if query is not None:
        body["query"] = query
    if mode is not None:
        body["mode"] = mode
    if filter is not None:
        body["filter"] = filter
    response = await client.post(route, json=body)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def keys(client: httpx.AsyncClient, prefix, query: str, **kw) -> list[str]:
    return [i["key"] for i in await search(client, prefix, query, **kw)]


async def create(client: httpx.AsyncClient, ns, key: str, content, **extra) -> None:
    response = await client.post("/v1/memories", json={"namespace": list(ns), "key": key,
                                                       "content": content, **extra})
    assert response.status_code == 201, response.text


async def create_many(client: httpx.AsyncClient, ns, texts: dict[str, Any]) -> None:
    response = await client.post("/v1/memories/batch", json={"items": [
        {"namespace": list(ns), "key": key, "content": text} for key, text in texts.items()]})
    assert response.status_code == 201, response.text


async def store_put(client: httpx.AsyncClient, ns, key: str, value: dict, **extra) -> None:
    response = await client.put("/store/items", json={"namespace": list(ns), "key": key,
                                                      "value": value, **extra})
    assert response.status_code == 204, response.text


async def keyword_rows(pool, ns, key: str) -> list[list[str]]:
    """The lexemes of the item's keyword index row, if it has one."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT tsvector_to_array(tsv) AS lexemes FROM store_keywords"
            " WHERE prefix = %s AND key = %s", (".".join(ns), key))
        return [sorted(r["lexemes"]) for r in await cur.fetchall()]


@contextlib.asynccontextmanager
async def app_client(settings, embedder, **overrides) -> AsyncIterator[tuple]:
    """Our app with some settings changed: (client, store)."""
    app = create_app(settings.model_copy(update=overrides), embedder=embedder)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=transport, base_url="http://test") as client:
        yield client, app.state.runtime.store
