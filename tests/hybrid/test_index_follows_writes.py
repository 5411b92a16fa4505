"""The keyword index follows every write, whichever door it came through: a new text is
found by its words at once, an old text's words find nothing, index=False and deletion take
the item out. Each check searches in keyword mode, where a stale full-text index would still
answer to the old words (or not yet to the new ones)."""

from datetime import UTC, datetime, timedelta

from tests.fakes.llm_server import user_text
from tests.hybrid.helpers import create, create_many, keys, keyword_rows, search, store_put
from tests.llm_fixtures import NS, conversation, memory_ids

OTHERS = {"o1": "The user drives an electric car", "o2": "The user plays jazz piano"}
OLD = "Godson Fridtjof collects antique barometers"
NEW = "Goddaughter Wilhelmina breeds alpacas in Patagonia"


async def found(client, ns, query: str) -> list[str]:
    return await keys(client, ns, query, mode="keyword", limit=50)


async def assert_searchable_as(client, ns, key: str, text: str | None) -> None:
    """The item answers to its own words (None: to no words at all), never to the other's."""
    for words, expected in ((OLD, text == OLD), (NEW, text == NEW)):
        assert (key in await found(client, ns, words)) is expected, (words, text)


# -- v1 ------------------------------------------------------------------------------------


async def test_v1_create_replace_delete(client, store):
    ns = ("memories", "v1")
    await create_many(client, ns, OTHERS)
    await create(client, ns, "k", OLD)
    await assert_searchable_as(client, ns, "k", OLD)
    assert await found(client, ns, "Fridtjof") == ["k"]

    replaced = await client.put("/v1/memories/k", params={"namespace": "memories.v1"},
                                json={"content": NEW})
    assert replaced.status_code == 200
    await assert_searchable_as(client, ns, "k", NEW)
    assert await found(client, ns, "Fridtjof barometers") == []
    assert await found(client, ns, "alpacas") == ["k"]

    replaced = await client.put("/v1/memories/k", params={"namespace": "memories.v1"},
                                json={"content": NEW, "index": False})
    assert replaced.status_code == 200
    await assert_searchable_as(client, ns, "k", None)

    replaced = await client.put("/v1/memories/k", params={"namespace": "memories.v1"},
                                json={"content": OLD})
    await assert_searchable_as(client, ns, "k", OLD)
    gone = await client.delete("/v1/memories/k", params={"namespace": "memories.v1"})
    assert gone.status_code == 204
    await assert_searchable_as(client, ns, "k", None)
    assert await keyword_rows(store.pool, ns, "k") == []


async def test_v1_batch_create(client):
    ns = ("memories", "batch")
    await create_many(client, ns, {**OTHERS, "k": OLD, "m": NEW})
    assert await found(client, ns, "Fridtjof") == ["k"]
    assert await found(client, ns, "Wilhelmina") == ["m"]
    assert set(await found(client, ns, "user alpacas barometers")) == {"o1", "o2", "k", "m"}


# -- LangGraph's store API -----------------------------------------------------------------


async def test_store_put_replace_index_false_and_delete(client, store):
    ns = ("memories", "store")
    for key, text in OTHERS.items():
        await store_put(client, ns, key, {"content": text})
    await store_put(client, ns, "k", {"content": OLD})
    await assert_searchable_as(client, ns, "k", OLD)
    await store_put(client, ns, "k", {"content": NEW})
    await assert_searchable_as(client, ns, "k", NEW)
    await store_put(client, ns, "k", {"content": NEW}, index=False)
    await assert_searchable_as(client, ns, "k", None)
    assert await keyword_rows(store.pool, ns, "k") == []
    await store_put(client, ns, "k", {"content": OLD})
    await assert_searchable_as(client, ns, "k", OLD)
    deleted = await client.request("DELETE", "/store/items",
                                   json={"namespace": list(ns), "key": "k"})
    assert deleted.status_code == 204
    await assert_searchable_as(client, ns, "k", None)


async def test_store_put_with_index_fields(client, store):
    """index=["title"] indexes the title alone: the body's words do not find the item."""
    ns = ("memories", "fields")
    await store_put(client, ns, "k", {"title": "Marimba lessons", "body": "Kalimba tuning"})
    assert await found(client, ns, "kalimba") == ["k"]
    await store_put(client, ns, "k", {"title": "Marimba lessons", "body": "Kalimba tuning"},
                    index=["title"])
    assert await found(client, ns, "kalimba") == []
    assert await found(client, ns, "marimba") == ["k"]
    assert await keyword_rows(store.pool, ns, "k") == [["lesson", "marimba"]]


# -- other writers -------------------------------------------------------------------------


async def test_extraction_inserts_updates_and_deletes(extract_client, llm):
    llm.script({"operations": [
        {"action": "insert", "kind": "Memory", "content": {"content": OLD}},
        {"action": "insert", "kind": "Memory", "content": {"content": OTHERS["o1"]}}]})
    body = {"messages": conversation("My godson Fridtjof collects barometers."),
            "namespace": NS}
    response = await extract_client.post("/v1/extract", json=body)
    assert response.status_code == 200, response.text
    assert len(await found(extract_client, tuple(NS), "Fridtjof")) == 1

    def update(request):
        ids = memory_ids(user_text(request))
        return {"operations": [{"action": "update", "id": ids[OLD],
                                "content": {"content": NEW}}]}

    llm.script(update)
    response = await extract_client.post("/v1/extract", json={
        **body, "messages": conversation("Correction: it is my goddaughter Wilhelmina.")})
    assert response.status_code == 200, response.text
    (key,) = [c["key"] for c in response.json()["updated"]]
    await assert_searchable_as(extract_client, tuple(NS), key, NEW)

    def delete(request):
        return {"operations": [{"action": "delete", "id": memory_ids(user_text(request))[NEW]}]}

    llm.script(delete)
    response = await extract_client.post("/v1/extract", json={
        **body, "messages": conversation("Forget about Wilhelmina.")})
    assert response.status_code == 200, response.text
    await assert_searchable_as(extract_client, tuple(NS), key, None)


async def test_history_restore(client):
    ns = ("memories", "history")
    await create(client, ns, "k", OLD)
    await client.put("/v1/memories/k", params={"namespace": "memories.history"},
                     json={"content": NEW})
    await assert_searchable_as(client, ns, "k", NEW)
    changes = (await client.get("/v1/history", params={"namespace": "memories.history",
                                                       "key": "k"})).json()["changes"]
    insert = next(c for c in changes if c["action"] == "insert")
    restored = await client.post(f"/v1/history/{insert['id']}/restore")
    assert restored.status_code == 200, restored.text
    await assert_searchable_as(client, ns, "k", OLD)
    await client.delete("/v1/memories/k", params={"namespace": "memories.history"})
    deletion = (await client.get("/v1/history", params={"namespace": "memories.history",
                                                        "key": "k"})).json()["changes"][0]
    assert deletion["action"] == "delete"
    await client.post(f"/v1/history/{deletion['id']}/restore")  # undelete
    await assert_searchable_as(client, ns, "k", OLD)


async def test_ttl_expiry_and_sweep(client, store):
    """An expired memory leaves keyword search at once and its index row with the sweep; the
    statistics of what remains are then those of a namespace that never held it."""
    ns, control = ("memories", "ttl"), ("memories", "control")
    await create_many(client, ns, OTHERS)
    await create_many(client, control, OTHERS)
    await create(client, ns, "k", OLD + " and drives an electric car", ttl=60)
    assert "k" in await found(client, ns, "Fridtjof electric car")
    async with store.pool.connection() as conn:
        await conn.execute("UPDATE store SET expires_at = %s WHERE key = 'k'",
                           (datetime.now(UTC) - timedelta(minutes=1),))
    assert "k" not in await found(client, ns, "Fridtjof electric car")
    assert await store.sweep_ttl() == 1
    assert await keyword_rows(store.pool, ns, "k") == []
    query = "electric car piano"
    remaining = [(i["key"], i["score"]) for i in await search(client, ns, query, mode="keyword")]
    fresh = [(i["key"], i["score"]) for i in await search(client, control, query,
                                                         mode="keyword")]
    assert remaining == fresh


async def test_text_rewritten_in_sql_reindexes(client, store):
    """Writers that touch store_vectors.text directly (re-embedding, imports by SQL) keep the
    index in step too: it is generated from that column."""
    ns = ("memories", "sql")
    await create_many(client, ns, {**OTHERS, "k": OLD})
    async with store.pool.connection() as conn:
        await conn.execute("UPDATE store_vectors SET text = %s WHERE key = 'k'", (NEW,))
    await assert_searchable_as(client, ns, "k", NEW)
