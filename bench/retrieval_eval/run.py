"""python -m bench.retrieval_eval.run: retrieval quality of each search mode on the labelled
set, the fusion sweep behind the defaults, and search latency per mode at 10k and 100k
memories. Writes bench/retrieval_eval/RESULTS.md (and .cache/results.json).

See bench/retrieval_eval/README.md.
"""

import argparse
import asyncio
import collections
import json
import os
import platform
import time
from pathlib import Path

from app.config import Settings
from app.db.pool import open_pool
from app.memories.service import MemoryService
from app.repositories.keyword_search import Bm25
from app.search.config import SearchConfig, SearchTuning
from app.store.memory_store import MemoryStore
from bench.retrieval_eval import dataset, db, evaluate, latency, report, vectors

HERE = Path(__file__).resolve().parent


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--no-quality", action="store_true", help="skip the quality evaluation")
    p.add_argument("--no-sweep", action="store_true", help="skip the fusion sweep")
    p.add_argument("--no-latency", action="store_true", help="skip the latency runs")
    p.add_argument("--sizes", default="10000,100000", help="latency table sizes")
    p.add_argument("--queries", type=int, default=130,
                   help="questions per latency cell (every n-th labelled question)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--database-url", default=None,
                   help="an admin URL of a Postgres with pgvector (databases named "
                        "retrieval_* are dropped and recreated); default: an embedded one")
    p.add_argument("--out", default=str(HERE / "RESULTS.md"))
    p.add_argument("--report-only", action="store_true",
                   help="render RESULTS.md from the last run's .cache/results.json")
    return p.parse_args()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


async def service_on(url: str, model, **overrides) -> tuple[MemoryService, object]:
    """The service as the server builds it (app/runtime.py), settings from the environment
    (defaults unless overridden), then `overrides`."""
    pool = await open_pool(url, min_size=2, max_size=10)
    s = Settings(database_url=url, **overrides)
    tuning = SearchTuning(exact_threshold=s.exact_search_threshold,
                          ef_search=s.hnsw_ef_search, ef_search_scoped=s.hnsw_ef_search_scoped,
                          max_scan_tuples=s.hnsw_max_scan_tuples)
    return MemoryService(MemoryStore(pool, model, tuning, SearchConfig.from_settings(s)),
                         s), pool


async def quality(admin: str, model, sweep: bool) -> dict:
    labelled = dataset.labelled()
    texts = sorted({m.text for m in labelled.memories})
    log(f"quality: {len(labelled.memories):,} memories, {len(labelled.questions)} questions")
    vecs = await vectors.embed_all(model, texts, log)
    url = db.fresh_database(admin, "retrieval_quality")
    timing = await db.load(url, labelled.memories, vectors.CachedEmbedder(model, texts, vecs),
                           log)
    service, pool = await service_on(url, model)
    try:
        sizes = collections.Counter(".".join(m.namespace) for m in labelled.memories)
        out: dict = {"load": timing, "memories": len(labelled.memories),
                     "questions": len(labelled.questions),
                     "settings": {k: v for k, v in service.settings.model_dump().items()
                                  if k.startswith(("hybrid_", "bm25_", "text_search"))}}
        result = await evaluate.quality(service, labelled.questions)
        out["overall"] = result.overall
        out["by_kind"] = result.by_kind
        groups = {
            "dev (even questions: tuning)": [q for q in labelled.questions
                                             if int(q.id[-3:]) % 2 == 0],
            "test (odd questions)": [q for q in labelled.questions if int(q.id[-3:]) % 2 == 1],
        }
        for size in sorted(set(sizes.values())):
            groups[f"users of {size:,} memories"] = [
                q for q in labelled.questions if sizes[".".join(q.namespace)] == size]
        out["groups"] = {name: {mode: _metrics(result.rankings[mode], qs)
                                for mode in evaluate.MODES}
                         for name, qs in groups.items()}
        if sweep:
            log("sweep: score matrices")
            keys = collections.defaultdict(list)
            for m in labelled.memories:
                keys[".".join(m.namespace)].append(m.key)
            s = service.settings
            matrices = await evaluate.score_matrices(service.store, labelled.questions, keys,
                                                     Bm25(s.bm25_k1, s.bm25_b))
            out["sweep"] = sweep_table(matrices)
    finally:
        await pool.close()
    return out


def _metrics(rankings: dict[str, list[str]], questions) -> dict:
    m = evaluate.Metrics()
    for q in questions:
        m.add(rankings[q.id], q.answers)
    return m.mean()


def sweep_table(matrices) -> list[dict]:
    dev = [s for s in matrices if int(s.question.id[-3:]) % 2 == 0]
    test = [s for s in matrices if int(s.question.id[-3:]) % 2 == 1]
    rows = []
    variants = [("semantic", 0.0, {}), ("keyword", 0.0, {})]
    variants += [("rrf", 0.5, {})]  # equal-weight reciprocal rank fusion (k = 60)
    for wk in (0.3, 0.5, 0.7):
        variants += [("minmax", wk, {}), ("rawcos", wk, {})]
    variants += [("coverage", wk, {}) for wk in (0.3, 0.4, 0.5, 0.6)]
    for window in (20, 50, 100, 200):
        for wk in (0.3, 0.4, 0.5, 0.6, 0.7):
            variants.append(("ours", wk, {"window": window}))
    for variant, wk, kw in variants:
        rows.append({"variant": variant, "keyword_weight": wk, **kw,
                     "dev": evaluate.sweep_metrics(dev, variant, wk, **kw),
                     "test": evaluate.sweep_metrics(test, variant, wk, **kw),
                     "all": evaluate.sweep_metrics(matrices, variant, wk, **kw)})
    return rows


async def latencies(admin: str, model, sizes: list[int], queries: int, warmup: int) -> dict:
    out = {}
    for size in sizes:
        base, filler = dataset.corpus(size)
        memories = base.memories + filler
        texts = sorted({m.text for m in memories})
        log(f"latency @ {size:,}: {len(memories):,} memories")
        vecs = await vectors.embed_all(model, texts, log)
        url = db.fresh_database(admin, f"retrieval_{size}")
        timing = await db.load(url, memories, vectors.CachedEmbedder(model, texts, vecs), log)
        service, pool = await service_on(url, model)
        step = max(1, len(base.questions) // queries)
        asked = base.questions[::step][:queries]
        cell: dict = {"load": timing, "questions": len(asked)}
        try:
            for shape in ("tenant", "global"):
                before = os.getloadavg()[0]
                t = time.perf_counter()
                timings = await latency.measure(service, asked, shape, warmup=warmup)
                cell[shape] = {m: vars(v) for m, v in timings.items()}
                cell[shape]["_load_average"] = [before, os.getloadavg()[0]]
                cell[shape]["_seconds"] = time.perf_counter() - t
                log(f"  {shape}: " + ", ".join(f"{m} p50 {v.p50:.1f} ms"
                                               for m, v in timings.items()))
        finally:
            await pool.close()
        out[str(size)] = cell
    return out


def environment() -> dict:
    s = Settings()
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "machine": platform.platform(),
            "exact_search_threshold": s.exact_search_threshold,
            "search_default_mode": s.search_default_mode}


async def main() -> None:
    args = parse_args()
    if args.report_only:
        results = json.loads((vectors.CACHE / "results.json").read_text())
        Path(args.out).write_text(report.render(results))
        return
    started = time.perf_counter()
    model = vectors.embedder()
    results: dict = {"environment": environment(), "args": vars(args)}
    with db.server(args.database_url) as admin:
        if not args.no_quality:
            results["quality"] = await quality(admin, model, not args.no_sweep)
        if not args.no_latency:
            sizes = [int(s) for s in args.sizes.split(",") if s]
            results["latency"] = await latencies(admin, model, sizes, args.queries,
                                                 args.warmup)
    results["minutes"] = (time.perf_counter() - started) / 60
    vectors.CACHE.mkdir(exist_ok=True)
    (vectors.CACHE / "results.json").write_text(json.dumps(results, indent=1, default=str))
    Path(args.out).write_text(report.render(results))
    log(f"wrote {args.out} in {results['minutes']:.1f} minutes")


if __name__ == "__main__":
    asyncio.run(main())
