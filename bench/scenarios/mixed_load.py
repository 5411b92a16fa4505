"""Mixed /store load (issue 21): throughput, latency per operation, CPU per request.

One server process per variant (all changes on, each switched off, all off, and, given
--mixed-before-dir, the code before them), all started up front on the same database;
at each concurrency every (variant, client) pair runs in turn, rotated, so drift hits them
alike. The client is bench/lean_client.py by default (--mixed-client lean,httpx runs both):
httpx's own CPU per request was as large as the server's on 2 cores. See
bench/mixed_workload.py for the load and bench/PROFILE.md for the profile behind it.
"""

from __future__ import annotations

import contextlib
import itertools
import time

from bench import mixed_report, mixed_server
from bench.context import BenchContext, model_path
from bench.load_clients import CLIENTS, open_client
from bench.machine import CpuWatch, load_average
from bench.mixed_workload import count_lost, run_load, search_alone
from bench.report import Report
from bench.scenarios import Scenario

# Each change switched off alone, then all of them (the settings' defaults are "all on");
# the write bound at a few fixed values (unset, it is the cores + 1); two server processes.
OFF = {"no batching": {"EMBED_BATCH_WINDOW_MS": "0"}, "no cache": {"EMBED_CACHE_SIZE": "0"},
       "spin-wait on": {"EMBEDDING_SPIN_WAIT": "true"}, "nice 0": {"EMBEDDING_NICE": "0"},
       "no write turns": {"WRITE_CONCURRENCY": "0"}}
VARIANTS = {"all on": {}, **OFF, "all off": {k: v for env in OFF.values()
                                             for k, v in env.items()},
            **{f"writes {n}": {"WRITE_CONCURRENCY": str(n)} for n in (2, 3, 4)},
            "workers 2": {"WORKERS": "2"}}


class MixedLoad(Scenario):
    name = "mixed_load"
    title = mixed_report.TITLE

    async def run(self, ctx: BenchContext) -> None:
        opts = ctx.opts
        if unknown := set(opts.mixed_client) - set(CLIENTS):
            raise ValueError(f"--mixed-client {', '.join(sorted(unknown))}: choose from "
                             f"{', '.join(CLIENTS)}")
        variants = {v: (VARIANTS[v], None) for v in opts.mixed_variants}
        if opts.mixed_before_dir:
            variants["before"] = ({}, opts.mixed_before_dir)
        env = {"DATABASE_URL": ctx.url, "EMBEDDING_MODEL_PATH": model_path() or "",
               "LOG_LEVEL": "info", "MIGRATE_ON_START": "false"}  # production's log level
        results = ctx.results.setdefault(self.name, {"cells": [], "duration": opts.duration})
        with contextlib.ExitStack() as stack:
            with ctx.phase(f"mixed load: starting {len(variants)} servers"):
                servers = {name: stack.enter_context(
                    mixed_server.serve({**env, **extra}, cwd)) for name, (extra, cwd)
                    in variants.items()}
            # The first cell measured would pay for it: 5 s at 8 clients left the first
            # "all on" cell at 32 clients 1.7x the CPU per request of the next ones.
            warm = max(8, min(max(opts.mixed_concurrency), 32))
            with ctx.phase(f"mixed load: warming every server up (15 s at {warm} clients)"):
                for live in servers.values():
                    async with open_client(opts.mixed_client[0], live.url, warm) as http:
                        await run_load(http, "prewarm", warm, 15.0)
            pairs = list(itertools.product(servers, opts.mixed_client))
            for i, c in enumerate(opts.mixed_concurrency):
                for name, client in pairs[i % len(pairs):] + pairs[:i % len(pairs)]:
                    with ctx.phase(f"mixed load: concurrency {c}, {name}, {client} client"):
                        cell = await self._cell(ctx, servers[name], client, c, f"m{i}")
                    cell["variant"] = name
                    results["cells"].append(cell)
                    ctx.log("    " + mixed_report.log_line(cell))

    async def _cell(self, ctx: BenchContext, server, client: str, c: int, tag: str) -> dict:
        pid, watch = server.process.pid, CpuWatch(ctx.cpu.marker)
        tag = f"{tag}-{client}-{time.time_ns()}"  # a fresh namespace for every cell
        async with open_client(client, server.url, c) as http:
            await run_load(http, f"warm-{tag}", min(c, 8), 2.0)  # first-request costs out
            alone = await search_alone(http, f"warm-{tag}", 40)
        async with open_client(client, server.url, c) as http:
            model0 = mixed_server.embedder_counters(server.url)
            load0, seen0 = load_average(), watch.snapshot()
            cpu0, rss0 = mixed_server.cpu_seconds(pid, watch.marker), mixed_server.rss_mb(pid)
            client0 = time.process_time()
            load = await run_load(http, f"mixed-{tag}", c, ctx.opts.duration)
            client1 = time.process_time()
            cpu1, rss1 = mixed_server.cpu_seconds(pid, watch.marker), mixed_server.rss_mb(pid)
            others = CpuWatch.others_percent(seen0, watch.snapshot(), load.seconds)
            load1, model1 = load_average(), mixed_server.embedder_counters(server.url)
            await count_lost(http, load)
        n = max(load.requests, 1)
        pg = None if cpu0[1] is None else (cpu1[1] - cpu0[1]) * 1000 / n
        return {"client": client, "concurrency": c, **load.summary(),
                "server_cpu_ms": (cpu1[0] - cpu0[0]) * 1000 / n, "pg_cpu_ms": pg,
                "client_cpu_ms": (client1 - client0) * 1000 / n,
                "rss_start": rss0, "rss_end": rss1, "search_alone_p50": alone,
                "texts_per_model_call": _per_call(model0, model1), "others_cpu": others,
                "load_average": f"{load0.split(' / ')[0]} -> {load1.split(' / ')[0]}"}

    def report(self, ctx: BenchContext, out: Report) -> None:
        results = ctx.results.get(self.name)
        if results and results["cells"]:
            mixed_report.render(results, out)


def _per_call(before: tuple | None, after: tuple | None) -> float | None:
    if before is None or after is None or after[0] == before[0]:
        return None
    return (after[1] - before[1]) / (after[0] - before[0])
