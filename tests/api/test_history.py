"""Every change is recorded with its source; a deleted memory can be restored from history."""

import psycopg

NS = ["memories", "alice"]
Q = {"namespace": "memories.alice"}


async def history(client, key):
    response = await client.get("/v1/history", params={**Q, "key": key})
    assert response.status_code == 200
    return response.json()["changes"]


async def test_create_replace_delete_are_recorded_newest_first(client):
    await client.post("/v1/memories", json={"namespace": NS, "key": "k", "content": "v1"})
    await client.put("/v1/memories/k", params=Q, json={"content": "v2"})
    await client.delete("/v1/memories/k", params=Q)
    changes = await history(client, "k")
    assert [c["action"] for c in changes] == ["delete", "update", "insert"]
    assert all(c["source"] == "api" and c["job_id"] is None for c in changes)
    delete, update, insert = changes
    assert insert["old_value"] is None
    assert insert["new_value"]["content"]["content"] == "v1"
    assert update["old_value"]["content"]["content"] == "v1"
    assert update["new_value"]["content"]["content"] == "v2"
    assert delete["old_value"]["content"]["content"] == "v2" and delete["new_value"] is None


async def test_store_api_writes_are_recorded_as_store_and_noop_rewrites_are_not(client):
    body = {"namespace": NS, "key": "s", "value": {"content": "same"}}
    for _ in range(3):
        assert (await client.put("/store/items", json=body)).status_code == 204
    changes = await history(client, "s")
    assert [(c["action"], c["source"]) for c in changes] == [("insert", "store")]


async def test_restoring_a_deleted_memory_brings_it_back(client):
    await client.post("/v1/memories", json={"namespace": NS, "key": "k", "content": "keep me"})
    await client.delete("/v1/memories/k", params=Q)
    deletion = (await history(client, "k"))[0]
    restored = await client.post(f"/v1/history/{deletion['id']}/restore")
    assert restored.status_code == 200
    assert restored.json()["value"]["content"]["content"] == "keep me"
    found = await client.post("/v1/search", json={"query": "keep me", "namespace_prefix": NS})
    assert [i["key"] for i in found.json()["items"]] == ["k"]
    latest = (await history(client, "k"))[0]
    assert (latest["action"], latest["source"]) == ("insert", "restore")


async def test_restoring_an_earlier_version(client):
    await client.post("/v1/memories", json={"namespace": NS, "key": "k", "content": "v1"})
    await client.put("/v1/memories/k", params=Q, json={"content": "v2"})
    first = (await history(client, "k"))[-1]
    await client.post(f"/v1/history/{first['id']}/restore")
    got = await client.get("/v1/memories/k", params=Q)
    assert got.json()["value"]["content"]["content"] == "v1"


async def test_unknown_change_is_404(client):
    assert (await client.post("/v1/history/999999/restore")).status_code == 404
    assert (await client.get("/v1/history/999999")).status_code == 404


async def test_ttl_expiry_and_direct_writes_are_recorded(client, store, database_url):
    await client.post("/v1/memories", json={"namespace": NS, "key": "t", "content": "x",
                                            "ttl": 5})
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE store SET expires_at = now() - interval '1 second'")
        conn.execute("INSERT INTO store (prefix, key, value) VALUES "
                     "('memories.alice', 'raw', '{\"content\": \"written by hand\"}')")
    assert await store.sweep_ttl() == 1
    assert (await history(client, "t"))[0]["source"] == "ttl"
    assert (await history(client, "raw"))[0]["source"] == "direct"
