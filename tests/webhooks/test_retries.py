"""A receiver that fails (500), then goes down, then recovers: nothing is lost, one memory's
events arrive in order, and the log shows the retries. Attempts used up mark a delivery
failed; redelivery sends it again."""

import asyncio

from tests.webhooks.conftest import deliveries, received, register, settled

NS = {"namespace": "memories.alice"}


async def _write_three_versions(client, key: str) -> None:
    assert (await client.post("/v1/memories", json={
        "namespace": ["memories", "alice"], "key": key, "content": "v1"})).status_code == 201
    for version in ("v2", "v3"):
        response = await client.put(f"/v1/memories/{key}", params=NS,
                                    json={"content": version})
        assert response.status_code == 200, response.text


async def test_a_receiver_failing_then_down_then_back_loses_nothing(hook_client, receiver):
    hook = await register(hook_client, receiver)
    receiver.status = 500
    await _write_three_versions(hook_client, "a")
    await _wait_until(lambda: len(receiver.hits) >= 2)  # refused twice at least
    receiver.stop()  # down: connections refused
    await _write_three_versions(hook_client, "b")
    await asyncio.sleep(0.5)  # several retries meet a closed port
    pending = await deliveries(hook_client, hook["id"], status="pending")
    assert pending and all(d["next_attempt_at"] for d in pending)
    assert any(d["attempts"] > 1 and d["last_error"] for d in pending)
    receiver.status = 204
    receiver.start()
    got = await received(receiver, 6)
    for key in ("a", "b"):
        versions = [r.data["value"]["content"]["content"] for r in got
                    if r.data["key"] == key]
        assert versions == ["v1", "v2", "v3"]  # per memory, in the order of its changes
    log = await settled(hook_client, hook["id"], 6)
    assert len(log) == 6 and {d["status"] for d in log} == {"delivered"}
    assert max(d["attempts"] for d in log) > 1


async def test_used_up_attempts_fail_visibly_and_redeliver(hook_settings, embedder, receiver):
    from tests.webhooks.conftest import open_hook_client

    async with open_hook_client(hook_settings.model_copy(update={"webhook_max_attempts": 2}),
                                embedder) as client:
        hook = await register(client, receiver)
        receiver.status = 500
        await client.post("/v1/memories", json={"namespace": ["memories", "alice"],
                                                "key": "k", "content": "x"})
        await _wait_until(lambda: len(receiver.hits) >= 2)
        failed = await _wait_for_status(client, hook["id"], "failed")
        assert failed["attempts"] == 2 and failed["last_status_code"] == 500
        assert failed["last_error"] == "answered 500" and failed["next_attempt_at"] is None
        receiver.status = 204
        again = await client.post(f"/v1/webhooks/{hook['id']}/redeliver")
        assert again.json() == {"redelivered": [failed["id"]]}
        got = await received(receiver, 1)
        assert got[0].id == failed["event_id"]
        unknown = await client.post(f"/v1/webhooks/{hook['id']}/redeliver",
                                    json={"delivery_ids": [failed["id"], 999999]})
        assert unknown.status_code == 404 and "999999" in unknown.json()["detail"]


async def _wait_until(condition, timeout: float = 10) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def _wait_for_status(client, hook_id: str, status: str) -> dict:
    for _ in range(200):
        found = await deliveries(client, hook_id, status=status)
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {status} delivery")
