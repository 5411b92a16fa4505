"""Memory events from several doors reach a local receiver, signed and in order."""

import psycopg

from tests.webhooks.conftest import deliveries, received, register, settled

NS = ["memories", "alice"]


async def test_v1_create_update_delete_arrive_signed_and_in_order(hook_client, receiver):
    hook = await register(hook_client, receiver)
    created = await hook_client.post("/v1/memories", json={
        "namespace": NS, "key": "k1", "content": "likes tea"})
    assert created.status_code == 201, created.text
    replaced = await hook_client.put("/v1/memories/k1", params={"namespace": "memories.alice"},
                                     json={"content": "likes coffee"})
    assert replaced.status_code == 200, replaced.text
    gone = await hook_client.delete("/v1/memories/k1", params={"namespace": "memories.alice"})
    assert gone.status_code in (200, 204), gone.text
    got = await received(receiver, 3)
    assert [r.type for r in got] == ["memory.created", "memory.updated", "memory.deleted"]
    assert receiver.bad_signatures == 0
    first, second, third = (r.data for r in got)
    assert first["namespace"] == NS and first["key"] == "k1" and first["source"] == "api"
    assert first["value"]["content"]["content"] == "likes tea" and first["previous_value"] is None
    assert second["previous_value"]["content"]["content"] == "likes tea"
    assert second["value"]["content"]["content"] == "likes coffee"
    assert third["value"] is None
    assert third["previous_value"]["content"]["content"] == "likes coffee"
    log = await settled(hook_client, hook["id"], 3)
    assert [d["status"] for d in log] == ["delivered"] * 3
    assert [d["event_id"] for d in reversed(log)] == [r.id for r in got]
    assert all(d["attempts"] == 1 and d["last_status_code"] == 204 for d in log)


async def test_store_put_and_a_direct_sql_write_are_events_too(hook_client, receiver,
                                                               database_url):
    await register(hook_client, receiver, event_types=["memory.created"])
    put = await hook_client.put("/store/items", json={
        "namespace": NS, "key": "theme", "value": {"content": "dark mode"}})
    assert put.status_code in (200, 204), put.text
    got = await received(receiver, 1)
    assert got[0].data["key"] == "theme" and got[0].data["source"] == "store"
    # A write through no door of ours (the plain LangGraph store, psql) is seen by the
    # history trigger, and so by webhooks.
    with psycopg.connect(database_url) as conn:
        conn.execute("INSERT INTO store (prefix, key, value) VALUES "
                     "('memories.alice', 'raw', '{\"content\": \"raw\"}')")
    got = await received(receiver, 2)
    assert got[1].data["key"] == "raw" and got[1].data["source"] == "direct"


async def test_a_rolled_back_write_sends_nothing(hook_client, receiver, database_url):
    hook = await register(hook_client, receiver)
    with psycopg.connect(database_url) as conn:
        conn.execute("INSERT INTO store (prefix, key, value) VALUES "
                     "('memories.alice', 'never', '{\"content\": \"x\"}')")
        conn.rollback()
        conn.execute("INSERT INTO store (prefix, key, value) VALUES "
                     "('memories.alice', 'kept', '{\"content\": \"y\"}')")
        conn.commit()
    got = await received(receiver, 1)
    assert [r.data["key"] for r in got] == ["kept"]
    assert len(await deliveries(hook_client, hook["id"])) == 1
