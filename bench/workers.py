"""Throughput and p50/p99 of the mixed /store load against one `memory-service serve` with
WORKERS=1, 2, ... server processes on its one socket (issue 21; app/serve_workers.py).

    python -m bench.workers --workers 1,2,1,2 --concurrency 32 --duration 30

As bench/replicas.py, which it reuses: its own embedded PostgreSQL (deleted afterwards),
migrated once; each cell starts the server fresh (LOG_LEVEL=info), warms it up, runs
bench/mixed_workload.py's load and reads every acknowledged put back. CPU of the server
(the supervisor and its workers) and of Postgres comes from /proc; RSS is given per
process (supervisor, then each worker). Cells listed twice interleave the variants, so the
other work on a shared machine hits them alike. Saved to bench/.cache/workers.json.
"""

from __future__ import annotations

import argparse
import asyncio

import psutil

from bench.data import CACHE_DIR
from bench.machine import CpuWatch
from bench.mixed_server import serve
from bench.replicas import add_load_options, measure_load, run_cells

OUT = CACHE_DIR / "workers.json"


def rss_each(pid: int) -> list[float]:
    """MB resident: the supervisor (or the only process), then each spawned worker."""
    parent = psutil.Process(pid)
    spawned = [p for p in parent.children() if "spawn_main" in " ".join(p.cmdline())]
    return [p.memory_info().rss / 2**20 for p in [parent, *spawned]]


async def cell(env: dict[str, str], workers: int, opts: argparse.Namespace, marker: str,
               watch: CpuWatch) -> dict:
    with serve({**env, "WORKERS": str(workers)}) as server:
        # 8 clients per worker while warming up: every worker's model warm
        figures = await measure_load([server], [server.url], 8 * workers, f"w{workers}", opts,
                                     marker, watch)
        rss = rss_each(server.process.pid)
    return {"workers": workers, **figures, "rss_mb": rss}


def table(cells: list[dict]) -> str:
    lines = ["| WORKERS | req/s | put p50/p99 | search p50/p99 | get p50/p99 | delete p50/p99 "
             "| CPU ms/req (server + Postgres) | req per CPU-s | cores busy | others' CPU "
             "| errors | lost | RSS MB (supervisor; workers) | load avg (1 min) before -> after |",
             "|" + "---|" * 14]
    for c in cells:
        ops = " | ".join(f"{c['ops'][op]['p50']:.0f} / {c['ops'][op]['p99']:.0f}"
                         if op in c["ops"] else "-" for op in ("put", "search", "get", "delete"))
        rss = c["rss_mb"]
        shown = f"{rss[0]:.0f}; " + ", ".join(f"{r:.0f}" for r in rss[1:]) if len(rss) > 1 \
            else f"{rss[0]:.0f}"
        lines.append(
            f"| {c['workers']} | {c['rps']:.1f} | {ops} | {c['server_cpu_ms']:.1f} + "
            f"{c['pg_cpu_ms']:.1f} | {c['per_cpu_second']:.0f} | {c['cpu_cores_busy']:.2f} | "
            f"{c['others_cpu_percent'] or 0:.0f}% | {c['errors']} | {c['lost']} of {c['acked']} | "
            f"{shown} | {c['load_average_before'].split(' / ')[0]} -> "
            f"{c['load_average_after'].split(' / ')[0]} |")
    return "\n".join(lines)


async def main(opts: argparse.Namespace) -> None:
    await run_cells("workers", opts.workers, cell, opts, OUT, table)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workers", default=[1, 2, 1, 2],
                   type=lambda s: [int(x) for x in s.split(",") if x],
                   help="WORKERS of each cell, in order (default 1,2,1,2)")
    add_load_options(p)
    return p.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
