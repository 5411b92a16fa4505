"""Import (bulk: one statement for many rows) and restore from history are doors too."""

import json

from tests.webhooks.conftest import received, register


async def test_an_import_and_a_restore_are_events(hook_client, receiver):
    await register(hook_client, receiver, event_types=["memory.created", "memory.deleted"])
    lines = [{"namespace": ["memories", "alice"], "key": f"i{i}",
              "value": {"kind": "Memory", "content": {"content": f"fact {i}"}}}
             for i in range(5)]
    imported = await hook_client.post(
        "/v1/import", content="".join(json.dumps(x) + "\n" for x in lines).encode(),
        headers={"content-type": "application/x-ndjson"})
    assert imported.status_code == 200, imported.text
    got = await received(receiver, 5)
    assert sorted(r.data["key"] for r in got) == [f"i{i}" for i in range(5)]
    assert {r.data["source"] for r in got} == {"import"}
    await hook_client.delete("/v1/memories/i0", params={"namespace": "memories.alice"})
    deletion = (await received(receiver, 1, "memory.deleted"))[0].data
    restored = await hook_client.post(f"/v1/history/{deletion['change_id']}/restore")
    assert restored.status_code == 200, restored.text
    again = (await received(receiver, 6, "memory.created"))[-1].data
    assert again["key"] == "i0" and again["source"] == "restore"
