"""Keys are at most 1024 characters, and a namespace and key at most 2,560 bytes of UTF-8
together, at every door: the store's indexes hold both in one btree entry (at most ~2,704
bytes), and a longer pair that did not compress failed as a 500."""

import json
import random

NS = ["memories", "alice"]


def incompressible(n: int, low: int = 0x4E00, high: int = 0x9FFF) -> str:
    """n random characters (CJK by default: 3 bytes each), which do not compress."""
    rng = random.Random(n)
    return "".join(chr(rng.randrange(low, high)) for _ in range(n))


async def put(client, namespace, key):
    return await client.put("/store/items", json={"namespace": namespace, "key": key,
                                                  "value": {"content": "x"}})


async def test_a_key_past_1024_characters_is_422_at_every_door(client):
    key = incompressible(3000, 0x41, 0x7A)  # ASCII letters and a few signs
    assert (await put(client, NS, key)).status_code == 422
    v1 = await client.post("/v1/memories", json={"namespace": NS, "key": key, "content": "x"})
    assert v1.status_code == 422
    imported = await client.post("/v1/import", content=json.dumps(
        {"namespace": NS, "key": key, "value": {}}).encode())
    assert imported.json()["rejected"][0]["error"] == \
        "key is 3000 characters long; at most 1024 are allowed"
    detail = (await put(client, NS, key)).json()["detail"]
    assert "at most 1024" in str(detail)
    listed = await client.post("/store/items/search", json={"namespace_prefix": []})
    assert listed.json()["items"] == []


async def test_a_namespace_and_key_past_the_index_entry_are_422(client):
    # 1024 characters, but 3,072 bytes: past what one index entry holds
    response = await put(client, NS, incompressible(1024))
    assert response.status_code == 422, response.text
    assert "at most 2560 fit the database's index" in response.json()["detail"]
    # a long namespace spends the same budget
    namespace = ["memories", *(incompressible(60 + i) for i in range(14))]
    response = await put(client, namespace, "k")
    assert response.status_code == 422, response.text
    assert "use a shorter key or namespace" in response.json()["detail"]
    v1 = await client.post("/v1/memories", json={"namespace": namespace, "content": "x"})
    assert v1.status_code == 422, v1.text
    assert (await client.post("/store/items/search", json={})).json()["items"] == []


async def test_keys_up_to_the_caps_are_stored(client):
    for key in ("k" * 1024, incompressible(800)):  # 1024 characters; 2,400 bytes
        assert (await put(client, NS, key)).status_code == 204
        got = await client.get("/store/items", params={"namespace": "memories.alice",
                                                       "key": key})
        assert got.json()["key"] == key
