"""Closed-loop load: N workers take requests from one list until it is empty."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass
class CellStats:
    """Latency percentiles (milliseconds) and throughput of one measured cell."""

    n: int
    concurrency: int
    p50: float
    p95: float
    p99: float
    mean: float
    throughput: float  # requests per second over the cell's wall time
    wall_s: float
    mean_returned: float | None = None  # mean result count, when the call returns one
    errors: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def closed_loop(call: Callable[[Any], Awaitable[int | None]], requests: Sequence[Any],
                      concurrency: int) -> CellStats:
    """Run every request once with `concurrency` in flight; `call` returns a result count."""
    latencies: list[float] = []
    returned: list[int] = []
    errors = 0
    pending = iter(requests)

    async def worker() -> None:
        nonlocal errors
        for request in pending:  # one shared iterator: each request runs exactly once
            started = time.perf_counter()
            try:
                count = await call(request)
            except Exception:  # noqa: BLE001 - counted and reported, never hidden
                errors += 1
                if errors > max(5, len(requests) // 20):
                    raise
                continue
            latencies.append(time.perf_counter() - started)
            if count is not None:
                returned.append(count)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    ms = np.array(latencies) * 1000.0
    return CellStats(
        n=len(latencies), concurrency=concurrency,
        p50=float(np.percentile(ms, 50)), p95=float(np.percentile(ms, 95)),
        p99=float(np.percentile(ms, 99)), mean=float(ms.mean()),
        throughput=len(latencies) / wall, wall_s=wall,
        mean_returned=float(np.mean(returned)) if returned else None, errors=errors,
    )


async def warm_up(call: Callable[[Any], Awaitable[int | None]], requests: Sequence[Any],
                  concurrency: int = 4) -> None:
    await closed_loop(call, requests, concurrency)


async def paired_sequential(calls: dict[str, Callable[[Any], Awaitable[int | None]]],
                            requests: Sequence[Any]) -> dict[str, CellStats]:
    """Concurrency 1 for several methods at once, interleaved request by request.

    Each request runs through every method back to back (the order rotating per request),
    so slow drifts of the machine (a noisy neighbour, the checkpointer, CPU boost) hit all
    methods alike and their ratios stay fair.
    """
    names = list(calls)
    latencies: dict[str, list[float]] = {n: [] for n in names}
    returned: dict[str, list[int]] = {n: [] for n in names}
    for i, request in enumerate(requests):
        for j in range(len(names)):
            name = names[(i + j) % len(names)]
            started = time.perf_counter()
            count = await calls[name](request)
            latencies[name].append(time.perf_counter() - started)
            if count is not None:
                returned[name].append(count)
    out = {}
    for name in names:
        ms = np.array(latencies[name]) * 1000.0
        out[name] = CellStats(
            n=len(ms), concurrency=1, p50=float(np.percentile(ms, 50)),
            p95=float(np.percentile(ms, 95)), p99=float(np.percentile(ms, 99)),
            mean=float(ms.mean()), throughput=len(ms) / (ms.sum() / 1000.0),
            wall_s=float(ms.sum() / 1000.0),
            mean_returned=float(np.mean(returned[name])) if returned[name] else None)
    return out
