"""Debounce: a burst of N messages in one thread, how many extraction runs.

A chat submits its conversation after every message (`POST /v1/jobs/extract`, the whole
conversation so far, the same thread_id). With `after_seconds` the job waits for the thread
to go quiet and each newer submission replaces the queued one, so a burst should cost one
LLM call. Without it (after_seconds 0) jobs start as soon as a worker takes them and only
the ones still queued are replaced. Runs are counted twice: jobs that succeeded (the jobs
table, via GET /v1/jobs) and LLM calls the fake received.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from bench.context import BenchContext
from bench.report import HeadlineRow, Report, table
from bench.scenarios import Scenario

BURSTS = [(10, 2.0), (50, 2.0), (10, 0.0), (50, 0.0)]  # (messages, after_seconds)
ROOT = "bench-debounce"
TIMEOUT = 120.0


def burst_messages(n: int) -> list[dict[str, str]]:
    return [{"role": ("user", "assistant")[i % 2], "content": f"Burst message {i}: "
             f"the weather in city number {i} was mild today."} for i in range(n)]


async def wait_idle(client, namespace: str, thread: str) -> list[dict[str, Any]]:
    """Every job of the thread, once none is queued or running."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        r = await client.get("/v1/jobs", params={"namespace": namespace, "thread_id": thread,
                                                 "limit": 200})
        r.raise_for_status()
        jobs = r.json()["jobs"]
        if not any(j["status"] in ("queued", "running") for j in jobs):
            return jobs
        if time.monotonic() > deadline:
            raise TimeoutError(f"jobs of {thread} still unfinished after {TIMEOUT:.0f}s")
        await asyncio.sleep(0.2)


def _fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.1f}"


def _seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


class Debounce(Scenario):
    name = "debounce"
    title = "Debounce: extraction runs per burst"

    async def run(self, ctx: BenchContext) -> None:
        env = await ctx.extraction_server()
        rows = []
        for n, after in BURSTS:
            thread = f"burst-{n}-after-{after:g}"
            namespace = [ROOT, thread]
            messages = burst_messages(n)
            env.reset()
            with ctx.phase(f"debounce: {n} messages, after_seconds={after:g}"):
                started = time.perf_counter()
                for i in range(1, n + 1):
                    r = await env.client.post("/v1/jobs/extract", json={
                        "messages": messages[:i], "namespace": namespace,
                        "thread_id": thread, "after_seconds": after})
                    r.raise_for_status()
                submitted = time.perf_counter()
                jobs = await wait_idle(env.client, ".".join(namespace), thread)
                done = time.perf_counter()
            statuses = [j["status"] for j in jobs]
            ran = [j for j in jobs if j["status"] == "succeeded"]
            rows.append({
                "messages": n, "after_seconds": after, "jobs": len(jobs),
                "succeeded": statuses.count("succeeded"),
                "replaced": sum(1 for j in jobs if j["superseded_by"]),
                "failed": statuses.count("failed"), "llm_calls": env.fake.calls,
                "submit_seconds": submitted - started, "settle_seconds": done - submitted,
                "pickup_seconds": max((_seconds(j["due_at"], j["started_at"]) for j in ran),
                                      default=None),
                "run_seconds": max((_seconds(j["started_at"], j["finished_at"]) for j in ran),
                                   default=None)})
            ctx.log(f"    {n} messages, after {after:g}s: {rows[-1]['succeeded']} runs, "
                    f"{env.fake.calls} LLM calls")
        ctx.results[self.name] = {"rows": rows}

    def report(self, ctx: BenchContext, out: Report) -> None:
        rows = ctx.results.get(self.name, {}).get("rows")
        if not rows:
            return
        for r in rows:
            if r["after_seconds"] > 0:
                out.add_headline(HeadlineRow(
                    f"(info) Debounce: a burst of {r['messages']} messages in one thread "
                    f"(after_seconds={r['after_seconds']:g})",
                    f"{r['succeeded']} extraction run(s), {r['llm_calls']} LLM call(s)",
                    f"{r['messages']} → {r['llm_calls']}", None))
        body = table(
            ["messages", "after_seconds", "jobs submitted", "runs (succeeded)",
             "replaced", "failed", "LLM calls", "submitting s", "last submit → all done s",
             "due → started s (worst)", "run s (worst)"],
            [[r["messages"], f"{r['after_seconds']:g}", r["jobs"], r["succeeded"],
              r["replaced"], r["failed"], r["llm_calls"], f"{r['submit_seconds']:.1f}",
              f"{r['settle_seconds']:.1f}", _fmt(r.get("pickup_seconds")),
              _fmt(r.get("run_seconds"))] for r in rows])
        out.add_section(self.title, f"""
Each burst posts the conversation so far after every message, one request after another as
fast as the server answers, to `POST /v1/jobs/extract` with one thread_id, on the extracting
server (fake LLM, job worker polling every 0.2 s). *runs* = jobs that ran to completion;
*replaced* = jobs superseded by a newer submission; *LLM calls* = requests the fake LLM
received; *due → started* = how long a run's job waited for a worker after its quiet period
ended; *run* = the extraction itself (retrieval, the LLM call, the writes).

{body}
With after_seconds=0 a job can start before the next message arrives; a running job is not
replaced (its result would be lost), so a burst costs more runs. `after_seconds` is what a
chat should send.
""")
