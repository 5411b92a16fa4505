"""v1 memories: create, get, replace, delete, list, batch."""

import uuid

NS = ["memories", "alice"]


async def create(client, content="User prefers dark mode", **extra):
    response = await client.post("/v1/memories", json={"namespace": NS, "content": content,
                                                       **extra})
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_makes_a_uuid_key_and_langmem_value(client):
    memory = await create(client)
    assert uuid.UUID(memory["key"])
    assert memory["namespace"] == NS
    assert memory["value"] == {"kind": "Memory", "content": {"content": "User prefers dark mode"}}
    assert memory["created_at"] == memory["updated_at"]


async def test_create_with_callers_key_and_structured_kind(client):
    memory = await create(client, content={"name": "Alice", "tz": "Europe/Lisbon"},
                          key="profile", kind="UserProfile")
    assert memory["key"] == "profile"
    got = await client.get("/v1/memories/profile", params={"namespace": "memories.alice"})
    assert got.json()["value"] == {"kind": "UserProfile",
                                   "content": {"name": "Alice", "tz": "Europe/Lisbon"}}


async def test_create_refuses_an_existing_key_and_keeps_the_original(client):
    await create(client, key="k1")
    again = await client.post("/v1/memories", json={"namespace": NS, "key": "k1",
                                                    "content": "something else"})
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]
    got = await client.get("/v1/memories/k1", params={"namespace": "memories.alice"})
    assert got.json()["value"]["content"]["content"] == "User prefers dark mode"


async def test_replace_changes_value_and_404s_when_missing(client):
    await create(client, key="k1")
    replaced = await client.put("/v1/memories/k1", params={"namespace": "memories.alice"},
                                json={"content": "User prefers light mode"})
    assert replaced.status_code == 200
    body = replaced.json()
    assert body["value"]["content"]["content"] == "User prefers light mode"
    assert body["updated_at"] > body["created_at"]
    missing = await client.put("/v1/memories/nope", params={"namespace": "memories.alice"},
                               json={"content": "x"})
    assert missing.status_code == 404


async def test_delete_then_get_is_404(client):
    await create(client, key="k1")
    params = {"namespace": "memories.alice"}
    assert (await client.delete("/v1/memories/k1", params=params)).status_code == 204
    assert (await client.get("/v1/memories/k1", params=params)).status_code == 404
    assert (await client.delete("/v1/memories/k1", params=params)).status_code == 404


async def test_keys_with_slashes_round_trip(client):
    await create(client, key="notes/2026/today")
    got = await client.get("/v1/memories/notes/2026/today", params={"namespace": "memories.alice"})
    assert got.status_code == 200
    assert got.json()["key"] == "notes/2026/today"


async def test_list_is_newest_first_paged_and_excludes_child_namespaces(client):
    for i in range(5):
        await create(client, content=f"fact {i}", key=f"k{i}")
    await client.post("/v1/memories", json={"namespace": [*NS, "child"], "content": "child"})
    page1 = (await client.get("/v1/memories", params={"namespace": "memories.alice",
                                                      "limit": 3})).json()
    page2 = (await client.get("/v1/memories", params={"namespace": "memories.alice",
                                                      "limit": 3, "offset": 3})).json()
    keys = [m["key"] for m in page1["items"] + page2["items"]]
    assert keys == ["k4", "k3", "k2", "k1", "k0"]


async def test_ttl_is_reported(client):
    memory = await create(client, ttl=30)
    assert memory["ttl_minutes"] == 30
    assert memory["expires_at"] is not None


async def test_batch_create_is_all_or_nothing(client, embedder):
    calls = embedder.calls
    response = await client.post("/v1/memories/batch", json={"items": [
        {"namespace": NS, "content": f"batch fact {i}"} for i in range(40)]})
    assert response.status_code == 201
    assert len(response.json()) == 40
    assert embedder.calls == calls + 1  # forty texts, one embedder call
    await create(client, key="taken")
    clash = await client.post("/v1/memories/batch", json={"items": [
        {"namespace": NS, "key": "fresh", "content": "a"},
        {"namespace": NS, "key": "taken", "content": "b"}]})
    assert clash.status_code == 409
    fresh = await client.get("/v1/memories/fresh", params={"namespace": "memories.alice"})
    assert fresh.status_code == 404


async def test_items_written_by_langmem_manage_tool_read_as_memory(client):
    # LangMem's manage_memory tool stores {"content": "..."} with no kind.
    put = await client.put("/store/items", json={"namespace": NS, "key": "lm",
                                                 "value": {"content": "likes tea"}})
    assert put.status_code == 204
    got = (await client.get("/v1/memories/lm", params={"namespace": "memories.alice"})).json()
    assert got["value"] == {"kind": "Memory", "content": {"content": "likes tea"}}
    raw = (await client.get("/store/items", params={"namespace": "memories.alice",
                                                    "key": "lm"})).json()
    assert raw["value"] == {"content": "likes tea"}


async def test_list_namespaces_with_prefix_suffix_depth_and_paging(client):
    for ns in (["memories", "alice"], ["memories", "bob"], ["memories", "bob", "work"],
               ["org", "acme"]):
        await client.post("/v1/memories", json={"namespace": ns, "content": "x"})
    get = lambda **p: client.get("/v1/namespaces", params=p)  # noqa: E731
    assert (await get()).json()["namespaces"] == [
        ["memories", "alice"], ["memories", "bob"], ["memories", "bob", "work"], ["org", "acme"]]
    assert (await get(prefix="memories.bob")).json()["namespaces"] == [
        ["memories", "bob"], ["memories", "bob", "work"]]
    assert (await get(suffix="work")).json()["namespaces"] == [["memories", "bob", "work"]]
    assert (await get(max_depth=1)).json()["namespaces"] == [["memories"], ["org"]]
    assert (await get(limit=2, offset=1)).json()["namespaces"] == [
        ["memories", "bob"], ["memories", "bob", "work"]]
