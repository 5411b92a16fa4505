"""Two replicas on one database share the deliveries: each event reaches the receiver once
(SKIP LOCKED and a lease: one replica per attempt), whichever replica sends it."""

import asyncio
from collections import Counter

from tests.webhooks.conftest import open_hook_client, received, register


async def test_two_replicas_send_each_event_once(hook_settings, embedder, receiver):
    async with open_hook_client(hook_settings, embedder) as one, \
            open_hook_client(hook_settings, embedder) as two:
        await register(one, receiver, event_types=["memory.created"])
        for i in range(30):
            client = one if i % 2 else two
            response = await client.post("/v1/memories", json={
                "namespace": ["memories", f"user{i % 3}"], "key": f"k{i}", "content": str(i)})
            assert response.status_code == 201, response.text
        got = await received(receiver, 30)
        await asyncio.sleep(0.5)  # a second copy, if any, would have arrived by now
    assert len({r.id for r in got}) == 30
    assert Counter(receiver.hits).most_common(1)[0][1] == 1, Counter(receiver.hits)
