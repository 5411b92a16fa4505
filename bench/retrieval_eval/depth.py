"""python -m bench.retrieval_eval.depth: hybrid's candidate depth (HYBRID_CANDIDATES) at
100,000 memories, where a search of the whole table streams (above EXACT_SEARCH_THRESHOLD):
for each depth, p50/p95 of semantic and hybrid interleaved query by query (so load drift
hits both alike), and how much of the exact fused top 10 (every item scored) the streamed
top 10 keeps. The database is loaded once and kept (--database-url, its `retrieval_depth`
database), so runs can be repeated; `--explain` prints the keyword leg's and the vector
leg's plans for the first question.
"""

import argparse
import asyncio
import json
import os
import time

import numpy as np
from psycopg.conninfo import make_conninfo

from bench.retrieval_eval import dataset, db, vectors
from bench.retrieval_eval.latency import _percentile
from bench.retrieval_eval.run import log, service_on

NAME = "retrieval_depth"
PROXY_SIGMA = 0.02


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", required=True, help="admin URL (kept between runs)")
    p.add_argument("--size", type=int, default=100_000)
    p.add_argument("--load", action="store_true", help="(re)load the database first")
    p.add_argument("--depths", default="25,50,100,200")
    p.add_argument("--queries", type=int, default=60)
    p.add_argument("--rounds", type=int, default=1, help="passes over the questions")
    p.add_argument("--out", default=None, help="append the results (JSON) to this file")
    return p.parse_args()


async def load(admin: str, size: int) -> str:
    """The latency corpus. The labelled users' vectors are the model's (cached); each
    filler memory's vector is the model's vector of a labelled memory, jittered and
    normalised (PROXY_SIGMA): embedding 84,000 more texts took over an hour on this shared
    2-core machine. Filler texts are real, so the keyword leg is what it would be."""
    model = vectors.embedder()
    base, filler = dataset.corpus(size)
    labelled = dataset.labelled()
    known = sorted({m.text for m in labelled.memories})
    vecs = await vectors.embed_all(model, known, log)
    rng = np.random.default_rng(7)
    extra = sorted({m.text for m in filler} - set(known))
    proxies = vecs[rng.integers(0, len(known), len(extra))]
    proxies = proxies + rng.normal(0, PROXY_SIGMA, proxies.shape).astype(np.float32)
    proxies /= np.linalg.norm(proxies, axis=1, keepdims=True)
    texts, all_vecs = known + extra, np.concatenate([vecs, proxies])
    url = db.fresh_database(admin, NAME)
    timing = await db.load(url, base.memories + filler,
                           vectors.CachedEmbedder(model, texts, all_vecs), log)
    log(f"loaded: {timing}")
    return url


async def measure_depth(url: str, model, questions, depth: int, exact: dict, rounds: int
                        ) -> dict:
    service, pool = await service_on(url, model, hybrid_candidates=depth)
    times: dict[str, list[float]] = {"semantic": [], "hybrid": []}
    kept = 0.0
    try:
        for r in range(rounds + 1):  # the first pass warms up
            for i, q in enumerate(questions):
                modes = ("semantic", "hybrid") if i % 2 == 0 else ("hybrid", "semantic")
                for mode in modes:
                    t = time.perf_counter()
                    found = await service.search((), query=q.text, limit=10, mode=mode)
                    if r:
                        times[mode].append((time.perf_counter() - t) * 1000)
                    if r == 1 and mode == "hybrid":
                        got = {(".".join(x.namespace), x.key) for x in found}
                        kept += len(got & exact[q.id]) / max(1, len(exact[q.id]))
    finally:
        await pool.close()
    p50 = {m: _percentile(v, 0.5) for m, v in times.items()}
    return {"depth": depth, "load": os.getloadavg()[0], "n": len(times["hybrid"]),
            "semantic_p50": p50["semantic"], "hybrid_p50": p50["hybrid"],
            "semantic_p95": _percentile(times["semantic"], 0.95),
            "hybrid_p95": _percentile(times["hybrid"], 0.95),
            "ratio": p50["hybrid"] / p50["semantic"], "exact_top10_kept": kept / len(questions)}


async def reference(url: str, model, questions) -> dict[str, set]:
    """Every item scored (the exact path at any size): the top 10 each depth is held to;
    cached beside the bench's other caches, since it takes a while at 100,000 items."""
    path = vectors.CACHE / f"depth-reference-{len(questions)}.json"
    if path.exists():
        return {k: {tuple(x) for x in v} for k, v in json.loads(path.read_text()).items()}
    service, pool = await service_on(url, model, exact_search_threshold=10**9)
    exact = {}
    try:
        for q in questions:
            found = await service.search((), query=q.text, limit=10, mode="hybrid")
            exact[q.id] = {(".".join(x.namespace), x.key) for x in found}
    finally:
        await pool.close()
    path.write_text(json.dumps({k: sorted(v) for k, v in exact.items()}))
    return exact


async def main() -> None:
    args = parse_args()
    url = (await load(args.database_url, args.size) if args.load
           else make_conninfo(args.database_url, dbname=NAME))
    model = vectors.embedder()
    base, _ = dataset.corpus(args.size)
    questions = base.questions[::max(1, len(base.questions) // args.queries)][:args.queries]
    exact = await reference(url, model, questions)
    rows = []
    for depth in [int(d) for d in args.depths.split(",")]:
        row = await measure_depth(url, model, questions, depth, exact, args.rounds)
        log(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}))
        rows.append(row)
    if args.out:
        with open(args.out, "a") as f:
            f.write(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                "rows": rows}) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
