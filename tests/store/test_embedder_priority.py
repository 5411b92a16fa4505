"""EMBEDDING_NICE: the local model runs in threads below the rest of the process, ONNX's own
threads included, so a request's own work goes first under load; the caller's priority
stays as it was."""

import os
from pathlib import Path

import pytest

from app.store.embed_cache import CachedEmbedder, EmbeddingCache
from app.store.embedders import FastEmbedEmbedder
from tests.conftest import MODEL_NAME, model_path

TEXTS = [f"memory number {i}: the user likes tea with {i % 7} sugars" for i in range(400)]


def _threads() -> dict[int, tuple[int, int]]:
    """thread id -> (nice, CPU ticks) of every thread of this process."""
    found = {}
    for task in Path("/proc/self/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        found[int(task.name)] = (int(fields[16]), int(fields[11]) + int(fields[12]))
    return found


@pytest.mark.parametrize("nice", [7, 0])
async def test_the_model_works_in_threads_that_nice_below_the_caller(nice: int):
    base = os.getpriority(os.PRIO_PROCESS, 0)
    embedder = FastEmbedEmbedder(MODEL_NAME, model_path=model_path(), batch_size=64,
                                 spin_wait=False, nice=nice)
    try:
        before = _threads()
        await embedder.embed(TEXTS)
        after = _threads()
    finally:
        await embedder.aclose()
    worked = {tid: after[tid][1] - before[tid][1] for tid in after if tid in before}
    lowered = min(base + nice, 19)  # the kernel's floor: under `nice -n 19` nothing is lower
    at_nice = sum(ticks for tid, ticks in worked.items() if after[tid][0] == lowered)
    assert sum(worked.values()) > 0
    assert at_nice >= 0.9 * sum(worked.values())  # tokenizing, ONNX's pool: all of it
    assert os.getpriority(os.PRIO_PROCESS, 0) == base


async def test_a_closed_wrapper_leaves_the_shared_model_working(embedder: FastEmbedEmbedder):
    """The tests' model is one for the session, and a wrapper's aclose reaches it."""
    await CachedEmbedder(embedder, EmbeddingCache(4)).aclose()
    assert len((await embedder.embed(["still here"]))[0]) == embedder.dims
