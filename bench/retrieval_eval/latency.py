"""Search latency per mode: MemoryService.search in process (embedding the query included),
concurrency 1, the modes interleaved query by query so drift hits them alike."""

import statistics
import time
from dataclasses import dataclass

from app.memories.service import MemoryService
from bench.retrieval_eval.dataset import Question

MODES = ("semantic", "keyword", "hybrid")


@dataclass
class Timing:
    p50: float
    p95: float
    mean_results: float
    n: int


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(service: MemoryService, questions: list[Question], shape: str, *,
                  warmup: int = 20, modes=MODES) -> dict[str, Timing]:
    """`shape` "tenant": each question searches its user's namespace; "global": no prefix,
    the whole table."""
    times: dict[str, list[float]] = {m: [] for m in modes}
    counts: dict[str, list[int]] = {m: [] for m in modes}
    for i, q in enumerate(questions[:warmup] + questions):
        prefix = q.namespace if shape == "tenant" else ()
        order = modes[i % len(modes):] + modes[:i % len(modes)]
        for mode in order:
            t = time.perf_counter()
            found = await service.search(prefix, query=q.text, limit=10, mode=mode)
            elapsed = (time.perf_counter() - t) * 1000
            if i >= warmup:
                times[mode].append(elapsed)
                counts[mode].append(len(found))
    return {m: Timing(statistics.median(times[m]), _percentile(times[m], 0.95),
                      statistics.fmean(counts[m]), len(times[m])) for m in modes}
