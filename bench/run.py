"""Entry point: `python -m bench.run [--scenarios search,tenancy] [--sizes 10000,100000]`.

Starts an embedded PostgreSQL (or uses --database-url), migrates it, prepares the synthetic
memories (embedded once, cached in bench/.cache/), then loads each needed data-set size once,
smallest first, runs every selected scenario at the sizes it asked for, and writes
bench/RESULTS.md and the PNG plots. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from bench import report
from bench.context import BenchContext
from bench.data import CACHE_DIR
from bench.machine import load_average
from bench.scenarios import registry

SNAPSHOT = CACHE_DIR / "last-run.json"

ONE_MILLION = 1_000_000


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def _names(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def parse_args(argv: list[str]) -> argparse.Namespace:
    scenarios = registry()
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenarios", type=_names, default=list(scenarios),
                   help=f"comma-separated, from: {', '.join(scenarios)} (default: all)")
    p.add_argument("--sizes", type=_ints, default=[10_000, 100_000],
                   help="memory counts for the search scenario (default 10000,100000)")
    p.add_argument("--growth-sizes", type=_ints, default=[10_000, 30_000, 100_000],
                   help="memory counts for the growth curve (default 10000,30000,100000)")
    p.add_argument("--tenancy-size", type=int, default=100_000,
                   help="memory count for the tenancy scenario (default 100000)")
    p.add_argument("--include-1m", action="store_true",
                   help="also run search and growth at 1,000,000 memories (the first run "
                        "embeds 1M texts: ~45 minutes on 2 cores; then cached)")
    p.add_argument("--queries", type=int, default=300,
                   help="measured queries per search cell (default 300)")
    p.add_argument("--warmup", type=int, default=40,
                   help="warm-up queries before each method and shape (default 40)")
    p.add_argument("--concurrency", type=_ints, default=[1, 8, 32],
                   help="search concurrencies (default 1,8,32)")
    p.add_argument("--methods", type=_names, default=["http", "hybrid", "ours", "plain", "raw"],
                   help="search methods: http, hybrid, ours, plain, raw (default all; hybrid "
                        "at concurrency 1 only)")
    p.add_argument("--tenancy-queries", type=int, default=100,
                   help="queries per namespace-size bucket in the tenancy scenario")
    p.add_argument("--tenancy-methods", type=_names, default=["http", "plain", "raw"])
    p.add_argument("--write-singles", type=int, default=200,
                   help="single creates per concurrency level (default 200)")
    p.add_argument("--write-concurrency", type=_ints, default=[1, 8])
    p.add_argument("--write-batches", type=int, default=20,
                   help="batch requests in the writes scenario (default 20)")
    p.add_argument("--write-batch-size", type=int, default=100)
    p.add_argument("--only", type=_names, dest="scenarios",
                   help="the same as --scenarios, e.g. --only mixed_load")
    p.add_argument("--duration", type=float, default=20.0,
                   help="seconds per mixed_load cell (default 20)")
    p.add_argument("--mixed-concurrency", type=_ints, default=[8, 32, 128])
    p.add_argument("--mixed-variants", type=_names,
                   default=["all on", "no batching", "no cache", "spin-wait on", "nice 0",
                            "no write turns", "all off"],
                   help="mixed_load servers (default: all on, each change off, all off): "
                        "all on, no batching, no cache, spin-wait on, nice 0 (EMBEDDING_NICE), "
                        "no write turns (WRITE_CONCURRENCY=0), all off, writes 2|3|4")
    p.add_argument("--mixed-client", type=_names, default=["lean"],
                   help="mixed_load's load client(s): lean (bench/lean_client.py), httpx, or "
                        "both, e.g. lean,httpx (each cell runs with each; default lean)")
    p.add_argument("--mixed-before-dir", default=None,
                   help="also run mixed_load against the code in this directory (e.g. "
                        "`git archive HEAD | tar -x -C DIR`), as variant 'before'")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--database-url", default=None,
                   help="an existing PostgreSQL + pgvector server (admin URL) instead of the "
                        "embedded one; databases named 'bench' and 'bench_llm' are DROPPED and "
                        "recreated in it")
    p.add_argument("--server-log-level", default="warning",
                   choices=["debug", "info", "warning", "error"],
                   help="LOG_LEVEL of the server process (default warning: no access log)")
    p.add_argument("--no-explain", action="store_true",
                   help="skip the EXPLAIN ANALYZE appendix")
    p.add_argument("--report-only", action="store_true",
                   help=f"rewrite RESULTS.md and the plots from the last run's saved results "
                        f"({SNAPSHOT.relative_to(CACHE_DIR.parent.parent)}) without measuring")
    opts = p.parse_args(argv)
    unknown = [s for s in opts.scenarios if s not in scenarios]
    if unknown:
        p.error(f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(scenarios)}")
    if opts.include_1m:
        opts.sizes = sorted({*opts.sizes, ONE_MILLION})
        opts.growth_sizes = sorted({*opts.growth_sizes, ONE_MILLION})
    opts.sizes = sorted(set(opts.sizes))
    opts.growth_sizes = sorted(set(opts.growth_sizes))
    opts.concurrency = sorted(set(opts.concurrency))
    opts.argv = argv
    return opts


def report_only() -> int:
    """Re-render the report from the saved snapshot of the last run."""
    snap = json.loads(SNAPSHOT.read_text())
    ctx = BenchContext(argparse.Namespace(**snap["opts"]))
    ctx.results, ctx.phases = snap["results"], [tuple(p) for p in snap["phases"]]
    ctx.load_timings, ctx.facts, ctx.dataset = (snap["load_timings"], snap["facts"],
                                                snap["dataset"])
    scenarios = [s for name, s in registry().items() if name in ctx.opts.scenarios]
    print(f"wrote {report.write(ctx, scenarios, snap['total_seconds'])}")
    return 0


async def main(argv: list[str]) -> int:
    started = time.perf_counter()
    opts = parse_args(argv)
    if opts.report_only:
        return report_only()
    scenarios = [s for name, s in registry().items() if name in opts.scenarios]
    needs = {s.name: s.sizes(opts) for s in scenarios}
    sizes = sorted({size for wanted in needs.values() for size in wanted})
    # The search questions are about memories present at every size the search and growth
    # scenarios load.
    opts.all_sizes = sorted({*needs.get("search", []), *needs.get("growth", [])}) or sizes
    ctx = BenchContext(opts)
    ok = False
    try:
        await ctx.open(max(sizes, default=0))
        for size in sizes:
            await ctx.ensure_size(size)
            for scenario in scenarios:
                if size in needs[scenario.name]:
                    await scenario.run_at(ctx, size)
        for scenario in scenarios:
            await scenario.run(ctx)
        ok = True
    finally:
        try:
            if ctx.results:
                total = time.perf_counter() - started
                ctx.facts["load_after"] = load_average()
                SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
                SNAPSHOT.write_text(json.dumps({**ctx.snapshot(), "total_seconds": total}))
                with ctx.phase("writing RESULTS.md and plots"):
                    path = report.write(ctx, scenarios, total)
                ctx.log(f"wrote {path}" + ("" if ok else " (partial: the run failed)"))
        finally:
            await ctx.close()
    ctx.log(f"total {(time.perf_counter() - started) / 60:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
