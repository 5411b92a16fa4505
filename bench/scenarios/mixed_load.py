"""Mixed /store load (issue 21): throughput, latency per operation, CPU per request.

One server process per variant (all changes on, each switched off, all off, and, given
--mixed-before-dir, the code before them), all started up front on the same database;
at each concurrency the variants run in turn (rotated, so drift hits them alike). See
bench/mixed_workload.py for the load and bench/PROFILE.md for the profile behind it.
"""

from __future__ import annotations

import contextlib
import time

import httpx

from bench import mixed_server
from bench.context import BenchContext, model_path
from bench.mixed_workload import KEEPALIVE_SECONDS, count_lost, run_load, search_alone
from bench.report import HeadlineRow, Report, fmt_ms, table
from bench.scenarios import Scenario

# Each change switched off alone, then all of them (the settings' defaults are "all on").
OFF = {"no batching": {"EMBED_BATCH_WINDOW_MS": "0"}, "no cache": {"EMBED_CACHE_SIZE": "0"},
       "spin-wait on": {"EMBEDDING_SPIN_WAIT": "true"}}
VARIANTS = {"all on": {}, **OFF, "all off": {k: v for env in OFF.values()
                                             for k, v in env.items()}}
TARGET_CONCURRENCY = 32
SPEEDUP_TARGET = 1.5


def per_cpu_second(cell: dict) -> float:
    return 1000 / (cell["server_cpu_ms"] + (cell["pg_cpu_ms"] or 0))


class MixedLoad(Scenario):
    name = "mixed_load"
    title = "Mixed /store load: put, search, get, delete"

    async def run(self, ctx: BenchContext) -> None:
        opts = ctx.opts
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
            with ctx.phase("mixed load: warming every server up (5 s of load each)"):
                for live in servers.values():  # the first cell measured would pay for it
                    async with httpx.AsyncClient(base_url=live.url, timeout=60) as http:
                        await run_load(http, "prewarm", 8, 5.0)
            for i, c in enumerate(opts.mixed_concurrency):
                names = list(servers)
                names = names[i % len(names):] + names[:i % len(names)]
                for name in names:
                    with ctx.phase(f"mixed load: concurrency {c}, {name}"):
                        cell = await self._cell(ctx, servers[name], name, c, f"m{i}")
                    results["cells"].append(cell)
                    ops = cell["ops"]
                    ctx.log(f"    {name:<12} c={c:<3} {cell['rps']:6.1f} req/s  " + "  ".join(
                        f"{op} {ops[op]['p50']:.0f}/{ops[op]['p99']:.0f}" for op in ops)
                        + f"  cpu {cell['server_cpu_ms']:.1f}+{cell['pg_cpu_ms'] or 0:.1f}"
                        f" ms/req  errors {cell['errors']} lost {cell['lost']}")

    async def _cell(self, ctx: BenchContext, server, name: str, c: int, tag: str) -> dict:
        pid, marker = server.process.pid, ctx.cpu.marker
        limits = httpx.Limits(max_connections=c, max_keepalive_connections=c,
                             keepalive_expiry=KEEPALIVE_SECONDS)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as http:
            await run_load(http, f"warm-{tag}", min(c, 8), 2.0)  # first-request costs out
            alone = await search_alone(http, f"warm-{tag}", 40)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as http:
            cpu0, rss0 = mixed_server.cpu_seconds(pid, marker), mixed_server.rss_mb(pid)
            client0 = time.process_time()
            load = await run_load(http, f"mixed-{tag}", c, ctx.opts.duration)
            client1 = time.process_time()
            cpu1, rss1 = mixed_server.cpu_seconds(pid, marker), mixed_server.rss_mb(pid)
            await count_lost(http, load)
        n = max(load.requests, 1)
        pg = None if cpu0[1] is None else (cpu1[1] - cpu0[1]) * 1000 / n
        return {"variant": name, "concurrency": c, **load.summary(),
                "server_cpu_ms": (cpu1[0] - cpu0[0]) * 1000 / n, "pg_cpu_ms": pg,
                "client_cpu_ms": (client1 - client0) * 1000 / n,
                "rss_start": rss0, "rss_end": rss1, "search_alone_p50": alone,
                "others_cpu": ctx.phases[-1][2] if ctx.phases else None}

    # -- report ---------------------------------------------------------------------------

    def report(self, ctx: BenchContext, out: Report) -> None:
        results = ctx.results.get(self.name)
        if not results or not results["cells"]:
            return
        cells = results["cells"]
        self._headline(cells, out)
        rows = []
        for cell in cells:
            ops = cell["ops"]

            def op(name: str, ops=ops) -> str:
                o = ops.get(name)
                return f"{fmt_ms(o['p50'])} / {fmt_ms(o['p99'])}" if o else "—"

            rows.append([cell["variant"], cell["concurrency"], f"{cell['rps']:.1f}",
                         op("put"), op("search"), op("get"), op("delete"),
                         fmt_ms(cell["search_alone_p50"]),
                         f"{cell['server_cpu_ms']:.1f} + {fmt_ms(cell['pg_cpu_ms'])} + "
                         f"{cell.get('client_cpu_ms', 0):.1f}", f"{per_cpu_second(cell):.0f}",
                         f"{cell['rss_start']:.0f} -> {cell['rss_end']:.0f}",
                         cell["errors"], f"{cell['lost']} of {cell['acked']}"])
        out.add_section(self.title, (
            f"Each cell: N clients for {results['duration']:.0f} s against one server "
            "process (LOG_LEVEL=info), each looping in its own namespace: put a unique "
            "memory, search with one of 19 recurring questions, get one item, delete one "
            "every tenth round. Latencies p50 / p99 in ms. *CPU/request* = CPU ms of the "
            "server process + of Postgres (postmaster and backends) + of the client per "
            "request; *req per CPU-s* = requests per CPU-second of server and Postgres: the "
            "throughput the service would reach on a core of its own, and the fairer "
            "comparison when other work shares the machine (see *others' CPU* in the "
            "phases). *lost* = "
            "acknowledged puts, not deleted since, that did not read back identical. "
            "*search alone* = p50 of 40 searches one at a time just before the load.\n\n"
            + table(["variant", "clients", "req/s", "put", "search", "get", "delete",
                     "search alone", "CPU/request (ms)", "req per CPU-s", "RSS MB", "errors",
                     "lost"], rows)))

    def _headline(self, cells: list[dict], out: Report) -> None:
        at = {c["variant"]: c for c in cells if c["concurrency"] == TARGET_CONCURRENCY}
        new = at.get("all on")
        old = at.get("before") or at.get("all off")
        if not new:
            return
        if old:
            label = "the code before" if "before" in at else "every change off"
            ratio = new["rps"] / old["rps"]
            out.add_headline(HeadlineRow(
                f"mixed load at {TARGET_CONCURRENCY} clients: >= {SPEEDUP_TARGET}x the "
                f"requests/s of {label}",
                f"{new['rps']:.1f} vs {old['rps']:.1f} req/s", f"{ratio:.2f}x",
                ratio >= SPEEDUP_TARGET, "" if ratio >= SPEEDUP_TARGET else
                f"CPU/request {new['server_cpu_ms']:.1f} vs {old['server_cpu_ms']:.1f} ms"))
            out.add_headline(HeadlineRow(
                f"(info) mixed load at {TARGET_CONCURRENCY} clients: requests per CPU-second "
                f"of server and Postgres, vs {label}",
                f"{per_cpu_second(new):.0f} vs {per_cpu_second(old):.0f}",
                f"{per_cpu_second(new) / per_cpu_second(old):.2f}x", None))
            worse = [op for op, o in new["ops"].items()
                     if op in old["ops"] and o["p99"] > old["ops"][op]["p99"]]
            out.add_headline(HeadlineRow(
                f"mixed load: p99 of every operation no worse than {label}",
                ", ".join(f"{op} {fmt_ms(o['p99'])} vs {fmt_ms(old['ops'][op]['p99'])}"
                          for op, o in new["ops"].items() if op in old["ops"]),
                "", not worse, f"worse: {', '.join(worse)}" if worse else ""))
        growth = (new["rss_end"] - new["rss_start"]) / new["rss_start"]
        out.add_headline(HeadlineRow(
            "mixed load: 0 errors, 0 lost, RSS growth < 10% (this run's duration)",
            f"{new['errors']} errors, {new['lost']} lost of {new['acked']}, RSS "
            f"{new['rss_start']:.0f} -> {new['rss_end']:.0f} MB",
            f"{100 * growth:+.1f}%", not new["errors"] and not new["lost"] and growth < 0.1))
        search, alone = new["ops"]["search"]["p50"], new["search_alone_p50"]
        out.add_headline(HeadlineRow(
            f"mixed load: search p50 at {TARGET_CONCURRENCY} clients <= 2x its p50 alone",
            f"{fmt_ms(search)} vs {fmt_ms(alone)} ms", f"{search / alone:.2f}x",
            search <= 2 * alone))
