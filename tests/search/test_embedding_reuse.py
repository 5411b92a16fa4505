"""(f) Writing a value whose indexed text is unchanged does not call the embedder again, and a
write of many items embeds them together.

The plain store embeds on every put, whether or not the text changed.
"""

import pytest
from langgraph.store.base import PutOp

from tests.search.helpers import sentences

NS = ("memories", "erin")
VALUE = {"content": "The user is training for a marathon in April"}


@pytest.fixture
def embedded(monkeypatch, embedder) -> list[int]:
    """How many texts each embedder call was given, from now on (empty calls do not count,
    as the embedder's own counter does not count them)."""
    sizes: list[int] = []
    original = embedder.embed

    async def embed(texts):
        if texts:
            sizes.append(len(texts))
        return await original(texts)

    monkeypatch.setattr(embedder, "embed", embed)
    return sizes


async def test_plain_store_embeds_an_unchanged_value_again(plain, embedder):
    await plain.aput(NS, "k", VALUE)
    calls = embedder.calls
    await plain.aput(NS, "k", VALUE)
    await plain.aput(NS, "k", VALUE)
    assert embedder.calls == calls + 2


async def test_unchanged_store_item_is_not_embedded_again(writer, ns, embedder, embedded):
    body = {"namespace": list(ns), "key": "k", "value": VALUE}
    assert (await writer.client.put("/store/items", json=body)).status_code == 204
    assert embedded == [1]
    calls = embedder.calls
    for _ in range(3):
        assert (await writer.client.put("/store/items", json=body)).status_code == 204
    # other fields may change freely while the indexed one stays the same
    narrow = {"namespace": list(ns), "key": "n", "index": ["content"],
              "value": {"content": "The user likes tea", "seen": 1}}
    assert (await writer.client.put("/store/items", json=narrow)).status_code == 204
    narrow["value"]["seen"] = 2
    assert (await writer.client.put("/store/items", json=narrow)).status_code == 204
    assert embedder.calls == calls + 1  # only the first write of "n"
    assert embedded == [1, 1]


async def test_unchanged_v1_memory_is_not_embedded_again(writer, ns, embedder):
    created = await writer.client.post("/v1/memories", json={
        "namespace": list(ns), "key": "k", "content": VALUE["content"]})
    assert created.status_code == 201
    calls = embedder.calls
    params = {"namespace": ".".join(ns)}
    same = await writer.client.put("/v1/memories/k", params=params,
                                    json={"content": VALUE["content"]})
    assert same.status_code == 200
    relabelled = await writer.client.put("/v1/memories/k", params=params,
                                          json={"kind": "Goal", "content": VALUE["content"]})
    assert relabelled.status_code == 200
    assert embedder.calls == calls
    changed = await writer.client.put("/v1/memories/k", params=params,
                                       json={"content": "The user ran the marathon"})
    assert changed.status_code == 200
    assert embedder.calls == calls + 1


async def test_batch_create_embeds_in_one_call(writer, ns, embedded):
    texts = sentences(seed=5, n=50)
    created = await writer.client.post("/v1/memories/batch", json={"items": [
        {"namespace": list(ns), "content": text} for text in texts]})
    assert created.status_code == 201, created.text
    assert embedded == [50]


async def test_store_batch_embeds_only_changed_texts_in_one_call(writer, ns, embedded):
    texts = sentences(seed=6, n=60)
    await writer.store.abatch([PutOp(ns, f"k{i}", {"content": t}) for i, t in enumerate(texts)])
    assert embedded == [60]
    rewritten = [PutOp(ns, f"k{i}", {"content": t if i % 10 else t + " (updated)"})
                 for i, t in enumerate(texts)]
    await writer.store.abatch(rewritten)
    assert embedded == [60, 6]
    await writer.store.abatch(rewritten)
    assert embedded == [60, 6]
