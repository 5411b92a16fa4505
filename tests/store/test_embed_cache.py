"""The embedding cache: repeated texts skip the model, the bound holds, models never mix;
and create_embedder wires the batcher and the cache in front of the real model, whose
ONNX threads do not spin (same vectors as the default session)."""

import asyncio
from array import array

import pytest

from app.config import Settings
from app.store.embed_batcher import EmbedBatcher
from app.store.embed_cache import BULK_TEXTS, CachedEmbedder, EmbeddingCache
from app.store.embedders import FastEmbedEmbedder, create_embedder
from tests.conftest import model_path
from tests.store.recording_embedder import RecordingEmbedder


async def test_a_repeated_text_skips_the_model_and_reads_back_the_same():
    inner = RecordingEmbedder()
    cached = CachedEmbedder(inner, EmbeddingCache(10))
    first = await cached.embed(["what does the user like?", "other"])
    again = await cached.embed(["what does the user like?"])
    assert inner.batches == [["what does the user like?", "other"]]
    assert again == first[:1]
    assert first[0] == pytest.approx(inner.vector("what does the user like?"))


async def test_only_the_missing_texts_go_to_the_model_once_each():
    inner = RecordingEmbedder()
    cached = CachedEmbedder(inner, EmbeddingCache(10))
    await cached.embed(["a"])
    out = await cached.embed(["b", "a", "b", "c"])
    assert inner.batches == [["a"], ["b", "c"]]
    assert out == [inner.vector(t) for t in ("b", "a", "b", "c")]


async def test_the_cache_keeps_at_most_its_bound_dropping_the_least_recent():
    inner = RecordingEmbedder()
    cache = EmbeddingCache(2)
    cached = CachedEmbedder(inner, cache)
    await cached.embed(["a"])
    await cached.embed(["b"])
    await cached.embed(["a"])  # a is now the most recent
    await cached.embed(["c"])  # evicts b
    assert len(cache) == 2
    await cached.embed(["a", "c"])
    await cached.embed(["b"])
    assert inner.batches == [["a"], ["b"], ["c"], ["b"]]


async def test_a_bulk_call_leaves_the_cached_queries_in_place():
    """An import's batch of 500 once flushed every cached query (the bound is 4096)."""
    inner = RecordingEmbedder()
    cache = EmbeddingCache(100)
    cached = CachedEmbedder(inner, cache)
    await cached.embed(["what does the user like?"])
    bulk = [f"imported fact {i}" for i in range(BULK_TEXTS + 1)]
    vectors = await cached.embed(bulk)
    assert len(cache) == 1 and inner.batches[1] == bulk
    assert vectors == [array("f", inner.vector(t)).tolist() for t in bulk]  # float32, as hits
    await cached.embed(["what does the user like?"])
    assert len(inner.batches) == 2  # still a hit


async def test_another_model_never_gets_this_models_vectors():
    cache = EmbeddingCache(10)
    old, new = RecordingEmbedder("fastembed:old"), RecordingEmbedder("fastembed:new")
    await CachedEmbedder(old, cache).embed(["same text"])
    await CachedEmbedder(new, cache).embed(["same text"])
    assert new.batches == [["same text"]]


async def test_errors_are_not_cached():
    inner = RecordingEmbedder(fail_on="bad")
    cached = CachedEmbedder(inner, EmbeddingCache(10))
    for _ in range(2):
        with pytest.raises(ValueError):
            await cached.embed(["bad"])
    assert inner.calls == 2


async def test_create_embedder_batches_concurrent_texts_into_one_model_call():
    settings = Settings(embedding_model_path=model_path())
    embedder = await create_embedder(settings)
    try:
        assert isinstance(embedder, CachedEmbedder)
        assert isinstance(embedder.inner, EmbedBatcher)
        session = embedder.inner.inner._model.model.model  # ONNX threads do not busy-wait
        assert session.get_session_options().get_session_config_entry(
            "session.intra_op.allow_spinning") == "0"
        texts = [f"the user mentioned topic number {i}" for i in range(16)]
        vectors = await asyncio.gather(*(embedder.embed([t]) for t in texts))
        assert embedder.calls == 1
        alone = FastEmbedEmbedder(settings.embedding_model_name, model_path=model_path(),
                                  batch_size=64)
        expected = alone._embed_sync(texts)
        for (got,), want in zip(vectors, expected, strict=True):
            assert got == pytest.approx(want, abs=1e-5)
        await embedder.embed([texts[0]])  # a repeat: from the cache
        assert embedder.calls == 1
    finally:
        await embedder.aclose()


async def test_both_switched_off_is_the_bare_model():
    settings = Settings(embedding_model_path=model_path(), embed_batch_window_ms=0,
                        embed_cache_size=0)
    embedder = await create_embedder(settings)
    assert isinstance(embedder, FastEmbedEmbedder)
    await embedder.aclose()
