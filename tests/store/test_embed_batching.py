"""The embedding batcher: concurrent requests share model calls, and each still gets
exactly its own vectors or its own error."""

import asyncio

import pytest

from app.store.embed_batcher import EmbedBatcher
from tests.store.recording_embedder import RecordingEmbedder

WINDOW = 0.005


async def until(predicate, timeout: float = 10.0) -> None:
    """Wait for what the batcher does next: a loaded machine may take far longer than a
    window (a fixed sleep lost that race in CI)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.001)


def batcher(inner: RecordingEmbedder, max_batch: int = 64, inflight: int = 1) -> EmbedBatcher:
    return EmbedBatcher(inner, window_seconds=WINDOW, max_batch=max_batch,
                        max_inflight=inflight)


async def test_concurrent_requests_share_one_model_call():
    inner = RecordingEmbedder()
    b = batcher(inner)
    texts = [[f"text {i}"] for i in range(10)] + [["a", "b"]]
    results = await asyncio.gather(*(b.embed(t) for t in texts))
    assert inner.calls == b.calls == 1
    assert results == [[inner.vector(x) for x in t] for t in texts]


async def test_one_call_at_a_time_and_the_next_batch_collects_meanwhile():
    inner = RecordingEmbedder()
    b = batcher(inner)
    inner.gate.clear()
    first = asyncio.ensure_future(b.embed(["first"]))
    await until(lambda: inner.running == 1)  # the first call is under way, held
    later = [asyncio.ensure_future(b.embed([f"later {i}"])) for i in range(5)]
    await asyncio.sleep(WINDOW * 3)
    assert inner.batches == [["first"]]  # the later ones wait for the model
    inner.gate.set()
    await asyncio.gather(first, *later)
    assert inner.batches == [["first"], [f"later {i}" for i in range(5)]]
    assert inner.max_running == 1


async def test_batches_respect_max_batch_and_big_requests_go_alone():
    inner = RecordingEmbedder()
    b = batcher(inner, max_batch=4)
    big = [f"big {i}" for i in range(6)]
    out = await asyncio.gather(b.embed(["x1", "x2", "x3"]), b.embed(["y1", "y2"]),
                               b.embed(big))
    assert [len(batch) for batch in inner.batches] == [3, 2, 6]
    assert out[2] == [inner.vector(t) for t in big]


async def test_repeated_texts_in_a_batch_are_embedded_once():
    inner = RecordingEmbedder()
    b = batcher(inner)
    out = await asyncio.gather(*(b.embed(["same question"]) for _ in range(5)))
    assert inner.batches == [["same question"]]
    assert out == [[inner.vector("same question")]] * 5


async def test_an_error_reaches_every_waiter_of_the_batch():
    inner = RecordingEmbedder(fail_on="bad")
    b = batcher(inner)
    results = await asyncio.gather(b.embed(["bad"]), b.embed(["bad", "also"]),
                                   return_exceptions=True)
    assert all(isinstance(r, ValueError) and "bad" in str(r) for r in results)


async def test_one_bad_text_fails_only_its_own_request():
    inner = RecordingEmbedder(fail_on="bad")
    b = batcher(inner)
    results = await asyncio.gather(b.embed(["good 1"]), b.embed(["bad"]), b.embed(["good 2"]),
                                   return_exceptions=True)
    assert results[0] == [inner.vector("good 1")]
    assert isinstance(results[1], ValueError)
    assert results[2] == [inner.vector("good 2")]


async def test_a_waiter_cancelled_before_its_batch_leaves_nothing_to_embed():
    inner = RecordingEmbedder()
    b = batcher(inner)
    gone = asyncio.ensure_future(b.embed(["never mind"]))
    kept = asyncio.ensure_future(b.embed(["kept"]))
    await asyncio.sleep(0)
    gone.cancel()
    assert await kept == [inner.vector("kept")]
    assert inner.batches == [["kept"]]
    with pytest.raises(asyncio.CancelledError):
        await gone


async def test_a_waiter_cancelled_mid_call_does_not_disturb_the_others():
    inner = RecordingEmbedder()
    b = batcher(inner)
    inner.gate.clear()
    gone = asyncio.ensure_future(b.embed(["leaves"]))
    kept = asyncio.ensure_future(b.embed(["stays"]))
    await until(lambda: inner.running == 1)  # both are in the held call
    gone.cancel()
    inner.gate.set()
    assert await kept == [inner.vector("stays")]
    assert gone.cancelled()
    assert await b.embed(["after"]) == [inner.vector("after")]  # the batcher goes on


async def test_close_cancels_waiters_instead_of_leaving_them_hanging():
    inner = RecordingEmbedder()
    b = batcher(inner)
    inner.gate.clear()
    held = asyncio.ensure_future(b.embed(["held"]))
    await until(lambda: inner.running == 1)
    queued = asyncio.ensure_future(b.embed(["queued"]))
    await asyncio.sleep(0)
    await b.aclose()
    for waiter in (held, queued):
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(waiter, 1)
    assert inner.closed


async def test_a_remote_model_gets_several_calls_at_once():
    inner = RecordingEmbedder()
    b = batcher(inner, max_batch=1, inflight=3)
    inner.gate.clear()
    waiters = [asyncio.ensure_future(b.embed([f"t{i}"])) for i in range(6)]
    await until(lambda: inner.running == 3)
    await asyncio.sleep(WINDOW * 6)  # time for a fourth, which must not start
    assert inner.running == 3
    inner.gate.set()
    await asyncio.gather(*waiters)
    assert inner.max_running == 3
