"""Server processes for the mixed load, one per variant, and what they cost (Linux /proc).

Each variant is a `memory-service serve` with its own environment (switches such as
EMBED_BATCH_WINDOW_MS=0), or the code in another directory (`cwd`: a `git archive` of the
commit before, say), all on the benchmark's database.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from bench.machine import _TICK, _processes, descendants

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@contextlib.contextmanager
def serve(env: dict[str, str], cwd: str | None = None, timeout: float = 180.0) -> Iterator:
    """A LiveServer (tests/live_server.py) whose process runs in `cwd` when given: with
    `python -m`, the working directory's `app` package wins over the installed one."""
    from tests.live_server import LiveServer

    with LiveServer.start(env, timeout, cwd=cwd) as server:
        yield server


def cpu_seconds(pid: int, postgres_marker: str | None) -> tuple[float, float | None]:
    """CPU seconds so far of the server (with its worker processes) and of Postgres (the
    postmaster whose command line holds the marker, and its backends)."""
    procs = _processes()
    server = sum(procs[p][1] for p in descendants({pid}, procs) if p in procs) / _TICK
    if not postgres_marker:
        return server, None
    pg: set[int] = set()
    for root, (_, _, cmd) in procs.items():
        if postgres_marker in cmd:
            pg |= descendants({root}, procs)
    return server, sum(procs[p][1] for p in pg) / _TICK


def rss_mb(pid: int) -> float:
    """Resident memory of the server and its worker processes, in MB."""
    total = 0
    for p in descendants({pid}, _processes()):
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * _PAGE
    return total / 2**20


def embedder_counters(url: str) -> tuple[float, float, float] | None:
    """Model calls, texts embedded and seconds in the model so far (the server's /metrics):
    texts per call shows how well batching works at that load. None without /metrics."""
    import httpx

    try:
        r = httpx.get(f"{url}/metrics", timeout=10)
    except httpx.HTTPError:
        return None
    if r.status_code != 200:
        return None
    sums = {"embedder_calls_total": 0.0, "embedder_texts_total": 0.0,
            "embedder_call_duration_seconds_sum": 0.0}
    for line in r.text.splitlines():
        name = line.split("{", 1)[0]
        if name in sums:
            sums[name] += float(line.rsplit(" ", 1)[1])
    calls, texts, seconds = sums.values()
    return calls, texts, seconds
