"""The mixed_load scenario's part of RESULTS.md: one row per cell, and the issue-21 targets
(bench/scenarios/mixed_load.py measures the cells)."""

from __future__ import annotations

import os
from typing import Any

from bench.report import HeadlineRow, Report, fmt_ms, fmt_pct, table

TITLE = "Mixed /store load: put, search, get, delete"
TARGET_CONCURRENCY = 32
SPEEDUP_TARGET = 1.5
OPS = ("put", "search", "get", "delete")


def per_cpu_second(cell: dict) -> float:
    return 1000 / (cell["server_cpu_ms"] + (cell["pg_cpu_ms"] or 0))


def per_free_core(cell: dict) -> float | None:
    """Requests/s per core the rest of the machine left free: on a shared machine, the
    wall-clock figure that stays comparable across cells (others took 40-75% here)."""
    others = cell.get("others_cpu")
    if others is None or others >= 99:
        return None
    return cell["rps"] / (os.cpu_count() or 1) / (1 - others / 100)


def _p50_p99(cell: dict, op: str) -> str:
    o = cell["ops"].get(op)
    return f"{fmt_ms(o['p50'])} / {fmt_ms(o['p99'])}" if o else "—"


def log_line(cell: dict) -> str:
    ops = cell["ops"]
    return (f"{cell['variant']:<12} {cell['client']:<5} c={cell['concurrency']:<3} "
            f"{cell['rps']:6.1f} req/s  " + "  ".join(
                f"{op} {ops[op]['p50']:.0f}/{ops[op]['p99']:.0f}" for op in ops)
            + f"  cpu {cell['server_cpu_ms']:.1f}+{cell['pg_cpu_ms'] or 0:.1f}"
            f"+{cell['client_cpu_ms']:.1f} ms/req  others {fmt_pct(cell['others_cpu'])}"
            f"  texts/model call {cell.get('texts_per_model_call') or 0:.1f}"
            f"  errors {cell['errors']} lost {cell['lost']}")


def render(results: dict, out: Report) -> None:
    cells = results["cells"]
    for client in dict.fromkeys(c.get("client", "httpx") for c in cells):
        _headline([c for c in cells if c.get("client", "httpx") == client], client, out)
    rows = [[c["variant"], c.get("client", "httpx"), c["concurrency"], f"{c['rps']:.1f}",
             *(_p50_p99(c, op) for op in OPS), fmt_ms(c["search_alone_p50"]),
             f"{c['server_cpu_ms']:.1f} + {fmt_ms(c['pg_cpu_ms'])} + "
             f"{c.get('client_cpu_ms', 0):.1f}", f"{per_cpu_second(c):.0f}",
             "—" if per_free_core(c) is None else f"{per_free_core(c):.1f}",
             f"{c['rss_start']:.0f} -> {c['rss_end']:.0f}", fmt_pct(c.get("others_cpu")),
             c["errors"], f"{c['lost']} of {c['acked']}"] for c in cells]
    out.add_section(TITLE, (
        f"Each cell: N clients for {results['duration']:.0f} s against one server process "
        "(LOG_LEVEL=info), each looping in its own namespace: put a unique memory, search "
        "with one of 19 recurring questions, get one item, delete one every tenth round. "
        "*client*: bench/lean_client.py (asyncio streams) or httpx. Latencies p50 / p99 in "
        "ms. *CPU/request* = CPU ms of the server process + of Postgres (postmaster and "
        "backends) + of the client per request; *req per CPU-s* = requests per CPU-second "
        "of server and Postgres: the throughput the service would reach on a core of its "
        "own. *others* = the share of all cores other work on the machine took during the "
        "load; *req/s per free core* = req/s / (cores x (1 - others)). *lost* = "
        "acknowledged puts, not deleted since, that did not read back identical. "
        "*search alone* = p50 of 40 searches one at a time just before the "
        "load.\n\n"
        + table(["variant", "client", "clients", "req/s", "put", "search", "get", "delete",
                 "search alone", "CPU/request (ms)", "req per CPU-s", "req/s per free core",
                 "RSS MB", "others",
                 "errors", "lost"], rows)))


def combine(cells: list[dict]) -> dict:
    """Repeated cells of one variant as one: means of rates, CPU and percentiles (one
    disturbed cell on a shared machine must not decide a target), sums of counts, and the
    RSS of the cell that grew most."""
    def mean(values: list) -> float | None:
        known = [v for v in values if v is not None]
        return sum(known) / len(known) if known else None

    out: dict[str, Any] = {k: mean([c.get(k) for c in cells]) for k in (
        "rps", "server_cpu_ms", "pg_cpu_ms", "client_cpu_ms", "others_cpu",
        "search_alone_p50")}
    out.update({k: sum(c[k] for c in cells) for k in ("errors", "lost", "acked")})
    out["ops"] = {op: {q: mean([c["ops"][op][q] for c in cells if op in c["ops"]])
                       for q in ("p50", "p99")} for op in OPS
                  if any(op in c["ops"] for c in cells)}
    grew = max(cells, key=lambda c: c["rss_end"] / c["rss_start"])  # within a cell only:
    return {**out, "cells": len(cells), "rss_start": grew["rss_start"],  # other cells ran
            "rss_end": grew["rss_end"]}  # other concurrencies between them


def _headline(cells: list[dict], client: str, out: Report) -> None:
    at = {v: combine([c for c in cells if c["variant"] == v
                      and c["concurrency"] == TARGET_CONCURRENCY])
          for v in dict.fromkeys(c["variant"] for c in cells
                                 if c["concurrency"] == TARGET_CONCURRENCY)}
    new, old = at.get("all on"), at.get("before") or at.get("all off")
    if not new:
        return
    where = f"mixed load at {TARGET_CONCURRENCY} clients ({client} client, mean of " \
        f"{new['cells']} cell(s))"
    if old:
        label = "the code before" if "before" in at else "every change off"
        ratio = new["rps"] / old["rps"]
        out.add_headline(HeadlineRow(
            f"{where}: >= {SPEEDUP_TARGET}x the requests/s of {label}",
            f"{new['rps']:.1f} vs {old['rps']:.1f} req/s", f"{ratio:.2f}x",
            ratio >= SPEEDUP_TARGET, "" if ratio >= SPEEDUP_TARGET else
            f"CPU/request {new['server_cpu_ms']:.1f} vs {old['server_cpu_ms']:.1f} ms"))
        out.add_headline(HeadlineRow(
            f"(info) {where}: requests per CPU-second of server and Postgres, vs {label}",
            f"{per_cpu_second(new):.0f} vs {per_cpu_second(old):.0f}",
            f"{per_cpu_second(new) / per_cpu_second(old):.2f}x", None))
        free_new, free_old = per_free_core(new), per_free_core(old)
        if free_new and free_old:
            out.add_headline(HeadlineRow(
                f"(info) {where}: requests/s per core other work left free, vs {label}",
                f"{free_new:.1f} vs {free_old:.1f}", f"{free_new / free_old:.2f}x", None))
        shared = [op for op in new["ops"] if op in old["ops"]]
        worse = [op for op in shared if new["ops"][op]["p99"] > old["ops"][op]["p99"]]
        out.add_headline(HeadlineRow(
            f"{where}: p99 of every operation no worse than {label}",
            ", ".join(f"{op} {fmt_ms(new['ops'][op]['p99'])} vs "
                      f"{fmt_ms(old['ops'][op]['p99'])}" for op in shared),
            "", not worse, f"worse: {', '.join(worse)}" if worse else ""))
    growth = (new["rss_end"] - new["rss_start"]) / new["rss_start"]
    out.add_headline(HeadlineRow(
        f"{where}: 0 errors, 0 lost, RSS growth < 10% (in a cell of this run's duration)",
        f"{new['errors']} errors, {new['lost']} lost of {new['acked']}, RSS "
        f"{new['rss_start']:.0f} -> {new['rss_end']:.0f} MB",
        f"{100 * growth:+.1f}%", not new["errors"] and not new["lost"] and growth < 0.1))
    search, alone = new["ops"]["search"]["p50"], new["search_alone_p50"]
    out.add_headline(HeadlineRow(
        f"{where}: search p50 <= 2x its p50 alone", f"{fmt_ms(search)} vs {fmt_ms(alone)} ms",
        f"{search / alone:.2f}x", search <= 2 * alone))
