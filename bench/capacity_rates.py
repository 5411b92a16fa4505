"""What bench/capacity.py measures on a loaded table: bytes per memory of each structure, and
searches and writes per CPU-second through the app's own store (app/store, app/search).

No model runs here: query and write vectors are random unit vectors derived from the text
(RandomUnitEmbedder), so the CPU counted is the search path's and Postgres', not ONNX's.
CPU of Postgres (postmaster and backends, found by a marker in their command line) and of
this process are read from /proc around each cell.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from dataclasses import dataclass

import numpy as np
import psycopg
from langgraph.store.base import PutOp, SearchOp

from app.store.memory_store import MemoryStore
from bench.db import HNSW_INDEX
from bench.mixed_server import cpu_seconds

DIMS = 384


class RandomUnitEmbedder:
    """The same random unit vector for the same text, at no model cost."""

    model = "bench:random-unit-vectors"
    dims = DIMS

    def __init__(self) -> None:
        self.calls = 0

    async def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        return [self.vector(t).tolist() for t in texts]

    @staticmethod
    def vector(text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
        v = np.random.default_rng(seed).standard_normal(DIMS).astype(np.float32)
        return v / np.linalg.norm(v)

    async def aclose(self) -> None:
        """Nothing to release."""


# -- sizes -----------------------------------------------------------------------------------

# (label, SQL giving bytes): heap + TOAST + maps via pg_table_size, indexes apart.
SIZE_QUERIES = {
    "row (store heap+toast)": "SELECT pg_table_size('store')",
    "row indexes (store pkey, prefix/updated)": "SELECT pg_indexes_size('store')",
    "vector (store_vectors heap+toast)": "SELECT pg_table_size('store_vectors')",
    "vector btree indexes (pkey, prefix)":
        f"SELECT pg_indexes_size('store_vectors') - pg_relation_size('{HNSW_INDEX}')",
    "HNSW index": f"SELECT pg_relation_size('{HNSW_INDEX}')",
    "keyword rows (store_keywords)": "SELECT pg_table_size('store_keywords')",
    "keyword indexes (GIN, prefix, pkey)": "SELECT pg_indexes_size('store_keywords')",
}


def measure_sizes(url: str) -> dict[str, int]:
    """Bytes of each structure, after a VACUUM has merged GIN's pending list."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) store_keywords")
        return {label: int(conn.execute(q).fetchone()[0]) for label, q in SIZE_QUERIES.items()}


# -- rates -----------------------------------------------------------------------------------


@dataclass
class Cell:
    what: str
    operations: int
    seconds: float
    pg_cpu: float
    client_cpu: float
    latencies_ms: list[float]

    def row(self) -> dict:
        n = max(self.operations, 1)
        return {"what": self.what, "operations": self.operations,
                "per_second": self.operations / self.seconds,
                "p50_ms": float(np.percentile(self.latencies_ms, 50)),
                "p99_ms": float(np.percentile(self.latencies_ms, 99)),
                "pg_cpu_ms": self.pg_cpu * 1000 / n, "client_cpu_ms": self.client_cpu * 1000 / n,
                "per_pg_core": n / self.pg_cpu if self.pg_cpu else None,
                "per_core": n / (self.pg_cpu + self.client_cpu)}


async def run_cell(what: str, call, workers: int, seconds: float, marker: str) -> Cell:
    """`workers` loops calling `call(worker, round)` for `seconds`; CPU read around them."""
    import os

    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def loop(worker: int) -> None:
        round_ = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await call(worker, round_)
            latencies.append((time.perf_counter() - started) * 1000)
            round_ += 1

    _, pg0 = cpu_seconds(os.getpid(), marker)
    client0, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(loop(w) for w in range(workers)))
    elapsed, client1 = time.perf_counter() - started, time.process_time()
    _, pg1 = cpu_seconds(os.getpid(), marker)
    return Cell(what, len(latencies), elapsed, (pg1 or 0) - (pg0 or 0), client1 - client0,
                latencies)


def search_call(store: MemoryStore, questions: list[str], namespaces: list[tuple[str, ...]],
                mode: str, scoped: bool, seed: int):
    rng = random.Random(seed)

    async def call(worker: int, round_: int) -> None:
        i = rng.randrange(len(questions))
        prefix = namespaces[i] if scoped else ()  # () : no prefix, the whole table
        await store.search_items(SearchOp(prefix, query=questions[i], limit=10), mode=mode)

    return call


def write_call(store: MemoryStore, texts: list[str], batch: int, tag: str):
    """Puts of new memories (history and keyword triggers, HNSW insert all on)."""
    rng = random.Random(tag)

    async def call(worker: int, round_: int) -> None:
        ns = ("memories", f"{tag}-w{worker}")
        ops = [PutOp(ns, f"{round_}-{j}", {"content": f"{rng.choice(texts)} ({round_}/{j})"})
               for j in range(batch)]
        await store.apply_puts(ops)

    return call
