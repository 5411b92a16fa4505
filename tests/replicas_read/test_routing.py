"""DATABASE_READ_URL against a real streaming replica: plain reads answer from the replica,
writes and the reads that must see them from the primary. Replay paused on the replica
(pg_wal_replay_pause) makes the lag deterministic: what the replica answers lacks the write."""

import httpx

from tests.replicas_read.cluster import Replica
from tests.replicas_read.helpers import create, lagging, search_keys, stored_keys

ALICE, BOB = ["memories", "alice"], ["memories", "bob"]


async def test_plain_reads_answer_from_the_replica(rclient: httpx.AsyncClient,
                                                   cluster: Replica, urls: tuple[str, str]):
    await create(rclient, ALICE, "old", "User prefers dark mode")
    await lagging(cluster)
    made = await create(rclient, BOB, "new", "User lives in Lisbon and likes dark mode")
    assert made["key"] == "new"  # the write's own answer is read on the primary
    primary, replica = urls
    assert stored_keys(primary) == {"old", "new"} and stored_keys(replica) == {"old"}

    for mode in ("hybrid", "semantic", "keyword"):
        assert await search_keys(rclient, query="dark mode", mode=mode) == {"old"}
    assert await search_keys(rclient) == {"old"}  # a listing
    listing = await rclient.get("/v1/memories", params={"namespace": "memories.bob"})
    assert listing.status_code == 200 and listing.json()["items"] == []
    got = await rclient.get("/v1/memories/new", params={"namespace": "memories.bob"})
    assert got.status_code == 404
    store_get = await rclient.get("/store/items", params={"namespace": "memories.bob",
                                                          "key": "new"})
    assert store_get.status_code == 200 and store_get.json() is None
    found = await rclient.post("/store/items/search", json={"namespace_prefix": ["memories"],
                                                             "query": "dark mode"})
    assert {i["key"] for i in found.json()["items"]} == {"old"}
    spaces = await rclient.post("/store/namespaces", json={"prefix": ["memories"]})
    assert spaces.json()["namespaces"] == [ALICE]
    v1_spaces = await rclient.get("/v1/namespaces")
    assert BOB not in v1_spaces.json()["namespaces"]
    tool = await rclient.post("/v1/tools/execute", json={
        "name": "search_memory", "arguments": {"query": "Lisbon"}, "config": {"user_id": "bob"}})
    assert tool.status_code == 200 and tool.json()["artifact"] == []

    cluster.resume_replay()
    cluster.catch_up()
    assert await search_keys(rclient, query="Lisbon", namespace_prefix=BOB) == {"new"}
    got = await rclient.get("/v1/memories/new", params={"namespace": "memories.bob"})
    assert got.status_code == 200 and got.json()["value"] == made["value"]


async def test_writes_and_their_own_reads_stay_on_the_primary(
        rclient: httpx.AsyncClient, cluster: Replica, urls: tuple[str, str]):
    await lagging(cluster)
    await create(rclient, ALICE, "k", "User drinks tea")
    # Each of these reads the key the replica does not have yet; each sees it.
    replaced = await rclient.put("/v1/memories/k", params={"namespace": "memories.alice"},
                                 json={"content": "User drinks green tea"})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["value"]["content"] == {"content": "User drinks green tea"}
    history = await rclient.get("/v1/history", params={"namespace": "memories.alice",
                                                       "key": "k"})
    first = history.json()["changes"][-1]["id"]  # newest first
    restored = await rclient.post(f"/v1/history/{first}/restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["value"]["content"] == {"content": "User drinks tea"}
    tool = await rclient.post("/v1/tools/execute", json={
        "name": "manage_memory", "arguments": {"content": "User owns a cat"},
        "config": {"user_id": "alice"}})
    assert tool.status_code == 200 and tool.json()["artifact"]["action"] == "created"
    deleted = await rclient.delete("/v1/memories/k", params={"namespace": "memories.alice"})
    assert deleted.status_code == 204, deleted.text
    primary, replica = urls
    assert stored_keys(primary) == {tool.json()["artifact"]["key"]}
    assert stored_keys(replica) == set()


async def test_extraction_retrieves_from_the_primary(replica_app, rclient: httpx.AsyncClient,
                                                     cluster: Replica):
    """What an extraction shows the model, and the duplicates it drops, are read where its
    plan will be written: a memory stored a moment ago is updated, not stored twice."""
    from app.extraction.kinds import Kind
    from app.extraction.messages import Turn
    from app.extraction.retrieval import find_candidates

    await lagging(cluster)
    await create(rclient, ALICE, "tea", "User drinks tea")
    await create(rclient, ALICE, "profile", "Alice, in Lisbon", kind="UserProfile")
    memories = replica_app.state.runtime.memories
    profile = Kind("UserProfile", "who the user is", {"type": "string"}, single=True)
    found = await find_candidates(memories, tuple(ALICE), [Turn("user", "I like tea")],
                                  (profile,))
    assert {item.key for item in found} == {"tea", "profile"}
    held = await memories.existing_values(tuple(ALICE), [{"kind": "Memory", "content": {
        "content": "User drinks tea"}}])
    assert len(held) == 1
