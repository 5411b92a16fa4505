"""An endpoint bound to a key, or to a namespace prefix, receives only events of namespaces
that key may read (and under the prefix); admin routes only; forget erases pending events."""

import asyncio
import json

import psycopg
import pytest
from pydantic import SecretStr

from tests.webhooks.conftest import deliveries, open_hook_client, received, register
from tests.webhooks.receiver import Receiver

ADMIN_KEY = "admin-key-for-webhook-tests-0123"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
async def admin_client(hook_settings, embedder):
    settings = hook_settings.model_copy(update={"admin_api_key": SecretStr(ADMIN_KEY)})
    async with open_hook_client(settings, embedder) as client:
        client.headers.update(ADMIN)
        yield client


async def _key(client, name: str, prefix: list[str], access: str = "read") -> dict:
    response = await client.post("/v1/keys", json={
        "name": name, "grants": [{"prefix": prefix, "access": access}]})
    assert response.status_code == 201, response.text
    return response.json()


async def _write(client, namespace: list[str], key: str, text: str) -> None:
    response = await client.post("/v1/memories", json={"namespace": namespace, "key": key,
                                                       "content": text})
    assert response.status_code == 201, response.text


async def test_a_key_bound_endpoint_and_a_prefix_endpoint_see_only_their_namespaces(
        admin_client, receiver):
    alice_key = await _key(admin_client, "alice reader", ["memories", "alice"])
    await register(admin_client, receiver, key_id=alice_key["id"])
    bob_receiver = Receiver()
    try:
        await register(admin_client, bob_receiver, namespace_prefix=["memories", "bob"])
        for ns, text in ((["memories", "alice"], "alice's secret"),
                         (["memories", "alice2"], "not alice"),
                         (["memories", "bob", "work"], "bob at work"),
                         (["memories", "carol"], "carol's secret")):
            await _write(admin_client, ns, "k", text)
        await _write(admin_client, ["memories", "alice"], "last", "alice again")
        alice_got = await received(receiver, 2)
        bob_got = await received(bob_receiver, 1)
        await asyncio.sleep(0.5)  # anything wrongly sent would have arrived by now
    finally:
        bob_receiver.stop()
    assert [(r.data["namespace"], r.data["key"]) for r in receiver.received] == [
        (["memories", "alice"], "k"), (["memories", "alice"], "last")]
    assert [r.data["namespace"] for r in bob_receiver.received] == [["memories", "bob", "work"]]
    seen = json.dumps([r.data for r in alice_got + bob_got])
    assert "carol" not in seen and "not alice" not in seen


async def test_webhook_routes_are_admin_only_and_check_the_key(admin_client, receiver):
    writer = await _key(admin_client, "alice writer", ["memories", "alice"], "write")
    as_writer = {"Authorization": f"Bearer {writer['key']}"}
    refused = await admin_client.post("/v1/webhooks", json={"url": receiver.url},
                                      headers=as_writer)
    assert refused.status_code == 403
    assert (await admin_client.get("/v1/webhooks", headers=as_writer)).status_code == 403
    unknown = await admin_client.post("/v1/webhooks", json={
        "url": receiver.url, "key_id": "00000000-0000-0000-0000-000000000000"})
    assert unknown.status_code == 422 and "not an active API key" in unknown.json()["detail"]
    revoked = await _key(admin_client, "gone", ["memories"])
    await admin_client.delete(f"/v1/keys/{revoked['id']}")
    again = await admin_client.post("/v1/webhooks", json={"url": receiver.url,
                                                          "key_id": revoked["id"]})
    assert again.status_code == 422


async def test_a_revoked_key_stops_its_endpoint(admin_client, receiver):
    key = await _key(admin_client, "alice reader", ["memories", "alice"])
    await register(admin_client, receiver, key_id=key["id"])
    await _write(admin_client, ["memories", "alice"], "one", "first")
    await received(receiver, 1)
    await admin_client.delete(f"/v1/keys/{key['id']}")
    await _write(admin_client, ["memories", "alice"], "two", "second")
    await asyncio.sleep(0.5)
    assert [r.data["key"] for r in receiver.received] == ["one"]


async def test_forget_erases_pending_events_and_announces_only_the_name(
        hook_client, receiver, database_url):
    hook = await register(hook_client, receiver)
    receiver.stop()  # down: everything stays pending
    await _write(hook_client, ["memories", "alice"], "a", "alice's diary")
    await _write(hook_client, ["memories", "bob"], "b", "bob's note")
    for _ in range(100):  # both fanned out, neither deliverable
        if len(await deliveries(hook_client, hook["id"], status="pending")) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(await deliveries(hook_client, hook["id"], status="pending")) == 2
    forgot = await hook_client.post("/v1/forget", json={"namespace_prefix": ["memories",
                                                                             "alice"]})
    assert forgot.status_code == 200, forgot.text
    with psycopg.connect(database_url) as conn:
        stored = json.dumps(conn.execute("SELECT payload FROM webhook_events").fetchall())
    assert "diary" not in stored and "bob's note" in stored
    receiver.start()
    got = await received(receiver, 2)
    assert sorted(r.type for r in got) == ["memory.created", "namespace.forgotten"]
    forgotten = next(r for r in got if r.type == "namespace.forgotten")
    assert forgotten.data == {"namespace": ["memories", "alice"]}
    assert "diary" not in json.dumps([r.data for r in got])


async def test_namespace_forgotten_reaches_only_overlapping_keys(admin_client, receiver):
    alice_key = await _key(admin_client, "alice reader", ["memories", "alice"])
    await register(admin_client, receiver, key_id=alice_key["id"],
                   event_types=["namespace.forgotten"])
    # One at a time: a wider forget also erases a narrower one's announcement still pending.
    for prefix, expected in ((["memories", "bob"], 0), (["memories", "alice"], 1),
                             (["memories"], 2)):
        response = await admin_client.post("/v1/forget", json={"namespace_prefix": prefix})
        assert response.status_code == 200, response.text
        if expected:
            await received(receiver, expected)
    await asyncio.sleep(0.3)
    assert [r.data for r in receiver.received] == [{"namespace": ["memories", "alice"]},
                                                   {"namespace": ["memories"]}]
