"""A write never waits for a receiver: with the receiver holding its request, writes return
(and commit) while the delivery is still unanswered."""

import asyncio

from tests.webhooks.conftest import deliveries, received, register


async def test_writes_return_while_the_receiver_hangs(hook_client, receiver):
    hook = await register(hook_client, receiver)
    receiver.release.clear()  # the receiver holds every request until released
    first = await hook_client.post("/v1/memories", json={
        "namespace": ["memories", "alice"], "key": "k1", "content": "one"})
    assert first.status_code == 201
    assert await asyncio.to_thread(receiver.held.wait, 10)  # the delivery is in flight
    for i in range(2, 5):  # more writes, each returning with the receiver still hanging
        response = await hook_client.post("/v1/memories", json={
            "namespace": ["memories", "alice"], "key": f"k{i}", "content": str(i)})
        assert response.status_code == 201
    assert receiver.received == []  # nothing answered yet
    for _ in range(100):  # fanned out (a worker's round) while the first is still held
        pending = await deliveries(hook_client, hook["id"], status="pending")
        if len(pending) == 4:
            break
        await asyncio.sleep(0.05)
    assert len(pending) == 4 and receiver.received == []
    receiver.release.set()
    assert len(await received(receiver, 4)) == 4
