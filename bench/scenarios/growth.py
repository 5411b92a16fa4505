"""Growth: search p50 at each table size, same questions for the same tenants.

Uses the search scenario's concurrency-1 cells when it measured that size in this run,
otherwise measures HTTP and the raw SQL floor itself.
"""

from __future__ import annotations

from argparse import Namespace

from bench.context import BenchContext
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
from bench.scenarios.search import SHAPES, find_cell, measure_shape

METHODS = ("http", "raw")
GROWTH_TARGET = 2.0


class Growth(Scenario):
    name = "growth"
    title = "Growth: search p50 vs table size"

    def sizes(self, opts: Namespace) -> list[int]:
        return list(opts.growth_sizes)

    async def run_at(self, ctx: BenchContext, size: int) -> None:
        results = ctx.results.setdefault(self.name, {"points": []})
        c = 1
        for shape in SHAPES:
            cells = {m: find_cell(ctx, size, shape, m, c) for m in METHODS}
            source = "search scenario"
            if any(cell is None for cell in cells.values()):
                measured = await measure_shape(ctx, shape, list(METHODS), [c],
                                               label=f"growth @ {size:,} {shape}:")
                cells = {m: measured[m][c] for m in METHODS}
                source = "measured here"
            for method, cell in cells.items():
                results["points"].append({"size": size, "shape": shape, "method": method,
                                          "p50": cell["p50"], "p95": cell["p95"],
                                          "source": source,
                                          "others_cpu": cell.get("others_cpu")})
                ctx.log(f"    growth {size:,} {shape} {method}: p50 {cell['p50']:.2f} ms "
                        f"({source})")

    def _point(self, ctx, size, shape, method):
        for p in ctx.results.get(self.name, {}).get("points", []):
            if (p["size"], p["shape"], p["method"]) == (size, shape, method):
                return p
        return None

    def report(self, ctx: BenchContext, out: Report) -> None:
        results = ctx.results.get(self.name)
        if not results or not results["points"]:
            return
        sizes = sorted({p["size"] for p in results["points"]})
        small, big = sizes[0], sizes[-1]
        for shape in SHAPES:
            a, b = self._point(ctx, small, shape, "http"), self._point(ctx, big, shape, "http")
            if not (a and b) or small == big:
                continue
            ratio = b["p50"] / a["p50"]
            met = ratio <= GROWTH_TARGET
            note = ""
            if not met:
                ra, rb = self._point(ctx, small, shape, "raw"), self._point(ctx, big, shape,
                                                                            "raw")
                note = (f"HTTP p50 grows {fmt_ms(a['p50'])} → {fmt_ms(b['p50'])} ms ({ratio:.2f}x)"
                        + (f"; the raw SQL floor grows {fmt_ms(ra['p50'])} → "
                           f"{fmt_ms(rb['p50'])} ms" if ra and rb else "")
                        + ". See the growth section and query plans.")
            out.add_headline(HeadlineRow(
                f"p50 at {big:,} <= {GROWTH_TARGET:g}x p50 at {small:,} "
                f"(HTTP, {shape} queries, concurrency 1)",
                f"{fmt_ms(a['p50'])} ms → {fmt_ms(b['p50'])} ms", f"{ratio:.2f}x", met, note))

        rows = []
        for size in sizes:
            row = [f"{size:,}"]
            for shape in SHAPES:
                for method in METHODS:
                    p = self._point(ctx, size, shape, method)
                    row.append(fmt_ms(p["p50"]) if p else "—")
                p = self._point(ctx, size, shape, "http")
                row.append(fmt_pct(p.get("others_cpu")) if p else "—")
            rows.append(row)
        headers = ["memories"] + [h for shape in SHAPES for h in (
            *(f"{shape} {m} p50" for m in METHODS), f"{shape}: others' CPU")]
        out.add_section(self.title, (
            "Concurrency 1, milliseconds. The tenant queries ask about the same tenants at "
            "every size (their size does not change); the table around them grows.\n\n"
            + table(headers, rows) + "\n![growth](growth.png)\n"))
        out.plots.append(self._plot(ctx, sizes))

    def _plot(self, ctx: BenchContext, sizes: list[int]) -> str:
        plt, fig, axes = new_figure(1, 1)
        ax = axes[0][0]
        for shape in SHAPES:
            for method, style in zip(METHODS, ("-", ":"), strict=True):
                pts = [(s, self._point(ctx, s, shape, method)) for s in sizes]
                pts = [(s, p["p50"]) for s, p in pts if p]
                if pts:
                    ax.plot([s for s, _ in pts], [v for _, v in pts], marker="o",
                            linestyle=style, label=f"{shape} {method}")
        ax.set_xscale("log")
        ax.set_xticks(sizes, [f"{s // 1000}k" for s in sizes])
        ax.set_xlabel("memories in the table")
        ax.set_ylabel("search p50 (ms), concurrency 1")
        ax.set_title("Search latency growth")
        ax.grid(True, alpha=0.3)
        ax.legend()
        return save_figure(plt, fig, "growth.png")
