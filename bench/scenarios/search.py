"""Search latency and throughput: our HTTP service vs the plain store vs raw pgvector SQL.

At each size, the same query set runs through each method (bench/calls.py) at each
concurrency, in two shapes: "tenant" (namespace_prefix = the asking user's namespace, as an
agent searches its user's memories) and "global" (no prefix: the whole table). The queries
are paraphrased questions about memories among the first `min(sizes)` items, so every size
answers the same questions for the same tenants; only the table around them grows.
"""

from __future__ import annotations

from argparse import Namespace

import numpy as np

from bench import explain
from bench.calls import C1_ONLY, METHODS, search_call
from bench.context import BenchContext
from bench.measure import closed_loop, paired_sequential, warm_up
from bench.report import (
    HeadlineRow,
    Report,
    fmt_ms,
    fmt_pct,
    new_figure,
    save_figure,
    table,
)
from bench.scenarios import Scenario

SHAPES = ("tenant", "global")
HTTP_VS_STORE_TARGET = 1.3


def find_cell(ctx: BenchContext, size: int, shape: str, method: str,
              concurrency: int) -> dict | None:
    for cell in ctx.results.get("search", {}).get("cells", []):
        if (cell["size"], cell["shape"], cell["method"], cell["concurrency"]) == (
                size, shape, method, concurrency):
            return cell
    return None


def prefix_for(query, shape: str) -> tuple[str, ...]:
    return query.tenant if shape == "tenant" else ()


async def shape_call(ctx: BenchContext, method: str, shape: str):
    """A closed-loop call for one method and query shape, returning the result count."""
    search = await search_call(ctx, method)

    async def call(q) -> int:
        return len(await search(q, prefix_for(q, shape)))

    return call


async def measure_shape(ctx: BenchContext, shape: str, methods: list[str],
                        concurrencies: list[int], *, with_embed: bool = False,
                        label: str = "") -> dict[str, dict[int, dict]]:
    """Warm every method up, then concurrency 1 with the methods interleaved query by
    query (fair ratios), then each higher concurrency method by method."""
    queries = ctx.search_queries()
    warmup, measured = queries[: ctx.opts.warmup], queries[ctx.opts.warmup :]
    calls = {m: await shape_call(ctx, m, shape) for m in methods}
    if with_embed:
        embedder = ctx.embedder
        assert embedder is not None

        async def embed_one(q) -> None:
            await embedder.embed([q.text])

        calls["embed"] = embed_one
    out: dict[str, dict[int, dict]] = {m: {} for m in calls}
    with ctx.phase(f"{label} warm-up"):
        for call in calls.values():
            await warm_up(call, warmup)
    if 1 in concurrencies:
        with ctx.phase(f"{label} concurrency 1, {', '.join(calls)} interleaved"):
            paired = await paired_sequential(calls, measured)
        for m, stats in paired.items():
            out[m][1] = {**stats.as_dict(), "others_cpu": ctx.phases[-1][2]}
    for c in concurrencies:
        if c == 1:
            continue
        for m in methods:
            if m in C1_ONLY:
                continue
            with ctx.phase(f"{label} concurrency {c}, {m}"):
                stats = await closed_loop(calls[m], measured, c)
            out[m][c] = {**stats.as_dict(), "others_cpu": ctx.phases[-1][2]}
    return out


class Search(Scenario):
    name = "search"
    title = "Search latency and throughput"

    def sizes(self, opts: Namespace) -> list[int]:
        return list(opts.sizes)

    async def run_at(self, ctx: BenchContext, size: int) -> None:
        results = ctx.results.setdefault(self.name, {"cells": [], "embed": {},
                                                     "explain": {}})
        assert ctx.corpus is not None
        queries = ctx.search_queries()
        measured = queries[ctx.opts.warmup :]
        if "queried_tenants" not in results:
            sizes = ctx.corpus.tenant_sizes(max(ctx.opts.all_sizes))
            per_query = np.array([sizes[ctx.corpus.tenant_of[q.target]] for q in measured])
            results["queried_tenants"] = {
                "queries": len(measured),
                "tenants": len({q.tenant for q in measured}),
                "p50": float(np.median(per_query)), "max": int(per_query.max()),
                "min": int(per_query.min())}

        for n, shape in enumerate(SHAPES):
            measured_cells = await measure_shape(
                ctx, shape, ctx.opts.methods, ctx.opts.concurrency, with_embed=n == 0,
                label=f"search @ {size:,} {shape}:")
            if "embed" in measured_cells:
                results["embed"][str(size)] = measured_cells.pop("embed")[1]
            for method, cells in measured_cells.items():
                for c, stats in sorted(cells.items()):
                    results["cells"].append({"size": size, "shape": shape, "method": method,
                                             **stats})
                    ctx.log(f"    {shape:<6} {method:<5} c={c:<3} p50 {stats['p50']:7.2f} ms"
                            f"  p95 {stats['p95']:7.2f}  p99 {stats['p99']:7.2f}  "
                            f"{stats['throughput']:7.1f}/s  returned "
                            f"{stats['mean_returned']:.1f}")

        if size == max(ctx.opts.sizes) and not ctx.opts.no_explain:
            with ctx.phase(f"search @ {size:,}: EXPLAIN ANALYZE of each query shape"):
                results["explain"][str(size)] = await explain.collect(ctx, queries)

    # -- report ---------------------------------------------------------------------------

    def report(self, ctx: BenchContext, out: Report) -> None:
        results = ctx.results.get(self.name)
        if not results or not results["cells"]:
            return
        sizes = sorted({c["size"] for c in results["cells"]})
        big = max(sizes)
        methods = [m for m in METHODS if any(c["method"] == m for c in results["cells"])]
        c1 = min(ctx.opts.concurrency)

        for shape in SHAPES:
            http = find_cell(ctx, big, shape, "http", c1)
            plain = find_cell(ctx, big, shape, "plain", c1)
            ours = find_cell(ctx, big, shape, "ours", c1)
            if http and plain:
                ratio = http["p50"] / plain["p50"]
                met = ratio <= HTTP_VS_STORE_TARGET
                note = ""
                if not met:
                    note = self._miss_reason(ctx, big, shape, http, plain, ours)
                out.add_headline(HeadlineRow(
                    f"HTTP p50 <= {HTTP_VS_STORE_TARGET}x in-process store incl. embedding "
                    f"({shape} queries, {big:,} memories, concurrency {c1}; semantic mode, "
                    "as the plain store searches)",
                    f"HTTP {fmt_ms(http['p50'])} ms vs plain AsyncPostgresStore "
                    f"{fmt_ms(plain['p50'])} ms (returns {plain['mean_returned']:.1f} of 10)",
                    f"{ratio:.2f}x", met, note))
            if http and ours:
                out.add_headline(HeadlineRow(
                    f"(info) HTTP layer cost: HTTP vs our MemoryService in process "
                    f"({shape}, {big:,}, c={c1})",
                    f"{fmt_ms(http['p50'])} ms vs {fmt_ms(ours['p50'])} ms",
                    f"{http['p50'] / ours['p50']:.2f}x", None))
            hybrid = find_cell(ctx, big, shape, "hybrid", c1)
            if hybrid and plain:
                out.add_headline(HeadlineRow(
                    f"(info) HTTP hybrid mode (the server's default: vector + BM25 fused) vs "
                    f"plain store ({shape}, {big:,}, c={c1})",
                    f"{fmt_ms(hybrid['p50'])} ms vs {fmt_ms(plain['p50'])} ms",
                    f"{hybrid['p50'] / plain['p50']:.2f}x", None))

        qt = results.get("queried_tenants", {})
        body = [
            "Methods: " + "; ".join(f"**{m}** = {METHODS[m]}" for m in methods) + ".\n",
            f"Shapes: **tenant** = `namespace_prefix` is the asking user's namespace "
            f"({qt.get('tenants', '?')} distinct tenants; tenant size p50 "
            f"{qt.get('p50', 0):.0f}, min {qt.get('min', '?')}, max {qt.get('max', '?')} "
            "memories, the same tenants at every size); **global** = no prefix, the whole "
            "table. Latencies in ms; *returned* is the mean number of results for limit=10; "
            "*others' CPU* = share of the CPUs other processes on the machine used while the "
            "cell was measured (concurrency 1 cells of one shape are measured together).\n",
        ]
        for size in sizes:
            for shape in SHAPES:
                rows = []
                for method in methods:
                    for c in ctx.opts.concurrency:
                        cell = find_cell(ctx, size, shape, method, c)
                        if cell:
                            rows.append([method, c, fmt_ms(cell["p50"]), fmt_ms(cell["p95"]),
                                         fmt_ms(cell["p99"]), f"{cell['throughput']:.0f}",
                                         f"{cell['mean_returned']:.1f}",
                                         fmt_pct(cell.get("others_cpu"))])
                if rows:
                    body.append(f"\n**{size:,} memories, {shape} queries**\n")
                    body.append(table(["method", "concurrency", "p50", "p95", "p99",
                                       "queries/s", "returned", "others' CPU"], rows))
        out.add_section(self.title, "\n".join(body))

        rows = []
        for size in sizes:
            for shape in SHAPES:
                for c in ctx.opts.concurrency:
                    http = find_cell(ctx, size, shape, "http", c)
                    if not http:
                        continue
                    other = {m: find_cell(ctx, size, shape, m, c) for m in ("plain", "raw",
                                                                            "ours")}

                    def ratio(m: str, key: str = "p50", http=http, other=other) -> str:
                        cell = other[m]
                        return f"{http[key] / cell[key]:.2f}x" if cell else "—"

                    rows.append([f"{size:,}", shape, c, ratio("plain"), ratio("raw"),
                                 ratio("ours"), ratio("plain", "p95")])
        out.add_section("Search overhead ratios (p50 unless noted)", (
            "(a) = HTTP, (b) = plain AsyncPostgresStore in process, (c) = raw SQL with a "
            "precomputed vector, ours = our MemoryService in process. (a)/(c) includes "
            "embedding the query, which (c) never does.\n\n" + table(
                ["size", "shape", "concurrency", "(a)/(b)", "(a)/(c)", "(a)/ours",
                 "(a)/(b) p95"], rows)))

        rows = []
        for size in sizes:
            embed = results["embed"].get(str(size))
            if not embed:
                continue
            for shape in SHAPES:
                http = find_cell(ctx, size, shape, "http", c1)
                if http:
                    rows.append([f"{size:,}", shape, fmt_ms(embed["p50"]), fmt_ms(http["p50"]),
                                 f"{100 * embed['p50'] / http['p50']:.0f}%"])
        out.add_section("Embedding share of a search", (
            "Embedding one query alone (the same fastembed model, in this process, "
            "concurrency 1, interleaved with the searches) against the HTTP search p50 at "
            "concurrency 1.\n\n" + table(
                ["size", "shape", "embed p50 (ms)", "HTTP search p50 (ms)", "embedding share"],
                rows)))

        out.plots.append(self._plot(ctx, sizes, methods))
        out.add_section("Plots", "![latency and throughput vs concurrency]"
                                 "(latency_vs_concurrency.png)\n")
        if results.get("explain"):
            out.add_section("Query plans (EXPLAIN ANALYZE at the largest size)",
                            explain.render(results["explain"]))

    def _miss_reason(self, ctx, size, shape, http, plain, ours) -> str:
        parts = [f"HTTP p50 {fmt_ms(http['p50'])} ms vs plain store {fmt_ms(plain['p50'])} ms"]
        if ours:
            parts.append(f"our MemoryService in process takes {fmt_ms(ours['p50'])} ms, so "
                         f"the web layer adds {fmt_ms(http['p50'] - ours['p50'])} ms and our "
                         f"search itself {fmt_ms(ours['p50'] - plain['p50'])} ms over the "
                         "plain store")
        if plain["mean_returned"] < 9.99 and http["mean_returned"] > plain["mean_returned"]:
            parts.append(f"the plain store is cheaper because it does less: it returns "
                         f"{plain['mean_returned']:.1f} results of 10 on average (HTTP: "
                         f"{http['mean_returned']:.1f})")
        plans = ctx.results.get(self.name, {}).get("explain", {}).get(str(size), {})
        case = plans.get("global" if shape == "global" else "big tenant")
        if case:
            ours_ms = [explain.execution_ms(plan) for _, plan in case["ours"]]
            plain_ms = [explain.execution_ms(plan) for _, plan in case["plain"]]
            parts.append(
                f"EXPLAIN ANALYZE ({case['description']}): our service runs "
                f"{len(ours_ms)} statements taking "
                f"{' + '.join(fmt_ms(m) for m in ours_ms)} ms, the plain store one of "
                f"{' + '.join(fmt_ms(m) for m in plain_ms)} ms")
        return "; ".join(parts) + ". See the query plans below."

    def _plot(self, ctx: BenchContext, sizes: list[int], methods: list[str]) -> str:
        plt, fig, axes = new_figure(2, len(sizes) * len(SHAPES), size=(4.2, 3.6))
        col = 0
        for size in sizes:
            for shape in SHAPES:
                lat, thr = axes[0][col], axes[1][col]
                for method in methods:
                    cells = [find_cell(ctx, size, shape, method, c) for c in
                             ctx.opts.concurrency]
                    pts = [(c, cell) for c, cell in zip(ctx.opts.concurrency, cells,
                                                        strict=True) if cell]
                    if not pts:
                        continue
                    xs = [c for c, _ in pts]
                    line, = lat.plot(xs, [cell["p50"] for _, cell in pts], marker="o",
                                     label=f"{method} p50")
                    lat.plot(xs, [cell["p95"] for _, cell in pts], linestyle="--",
                             color=line.get_color(), alpha=0.6)
                    thr.plot(xs, [cell["throughput"] for _, cell in pts], marker="o",
                             label=method)
                lat.set_title(f"{size:,} memories, {shape}")
                lat.set_xscale("log", base=2)
                lat.set_yscale("log")
                lat.set_ylabel("latency ms (solid p50, dashed p95)")
                thr.set_xscale("log", base=2)
                thr.set_xlabel("concurrency")
                thr.set_ylabel("queries / s")
                for ax in (lat, thr):
                    ax.set_xticks(ctx.opts.concurrency, [str(c) for c in ctx.opts.concurrency])
                    ax.grid(True, alpha=0.3)
                col += 1
        axes[0][0].legend(fontsize=7)
        axes[1][0].legend(fontsize=7)
        return save_figure(plt, fig, "latency_vs_concurrency.png")
