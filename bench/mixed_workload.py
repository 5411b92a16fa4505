"""The mixed /store load of issue 21: N clients, each looping in its own namespace:
put a memory, search with a query, get one item, delete one every tenth round.

Queries come from a small fixed pool (agent traffic repeats its questions); put texts
are unique. Every acknowledged put not deleted since is read back at the end: one that
is missing or different counts as lost.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
import numpy as np

OPERATIONS = ("put", "search", "get", "delete")
# Below uvicorn's keep-alive (5 s): a client must not reuse a connection the server may be
# closing at that moment (a client-side error, not the server's).
KEEPALIVE_SECONDS = 2.0
SUBJECTS = ["coffee", "hiking", "the dentist", "Python", "jazz", "the garden", "Lisbon",
            "running shoes", "the quarterly report", "sushi", "chess", "the new manager"]
VERBS = ["likes", "dislikes", "asked about", "plans to visit", "keeps forgetting",
         "wants reminders about", "talked at length about"]
QUERIES = [f"what does the user think about {s}?" for s in SUBJECTS] + [
    f"anything the user {v}" for v in VERBS]


def memory_text(client: int, round_: int) -> str:
    rng = random.Random(client * 1_000_003 + round_)
    return (f"User {client} {rng.choice(VERBS)} {rng.choice(SUBJECTS)} "
            f"(note {round_}, {rng.randrange(10**6)})")


@dataclass
class LoadResult:
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    acked: dict[tuple[str, str], str] = field(default_factory=dict)  # (ns, key) -> text
    lost: int = 0

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def summary(self) -> dict:
        ops = {op: {"count": len(v), "p50": float(np.percentile(v, 50)),
                    "p99": float(np.percentile(v, 99))}
               for op, v in self.latencies.items() if v}
        return {"seconds": self.seconds, "requests": self.requests,
                "rps": self.requests / self.seconds if self.seconds else 0.0, "ops": ops,
                "errors": len(self.errors), "error_examples": self.errors[:3],
                "acked": len(self.acked), "lost": self.lost}


async def _timed(result: LoadResult, op: str, call) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await call
    except httpx.HTTPError as exc:
        result.errors.append(f"{op}: {type(exc).__name__} {exc}")
        return None
    result.latencies[op].append((time.perf_counter() - started) * 1000)
    if response.status_code >= 300:
        result.errors.append(f"{op}: {response.status_code} {response.text[:200]}")
        return None
    return response


async def _client(http: httpx.AsyncClient, prefix: str, n: int, deadline: float,
                  result: LoadResult) -> None:
    ns = [prefix, f"c{n}"]
    dotted = ".".join(ns)
    rng = random.Random(n)
    round_ = 0
    while time.perf_counter() < deadline:
        key, text = f"k{round_}", memory_text(n, round_)
        put = {"namespace": ns, "key": key, "value": {"content": text}}
        if await _timed(result, "put", http.put("/store/items", json=put)) is not None:
            result.acked[(dotted, key)] = text
        search = {"namespace_prefix": ns, "query": rng.choice(QUERIES), "limit": 10}
        await _timed(result, "search", http.post("/store/items/search", json=search))
        got = f"k{rng.randrange(round_ + 1)}"
        await _timed(result, "get", http.get("/store/items",
                                             params={"namespace": dotted, "key": got}))
        if round_ % 10 == 9:
            gone = f"k{rng.randrange(round_ + 1)}"
            body = {"namespace": ns, "key": gone}
            if await _timed(result, "delete", http.request("DELETE", "/store/items",
                                                           json=body)) is not None:
                result.acked.pop((dotted, gone), None)
        round_ += 1


async def run_load(http: httpx.AsyncClient, prefix: str, concurrency: int,
                   seconds: float) -> LoadResult:
    result = LoadResult()
    started = time.perf_counter()
    await asyncio.gather(*(_client(http, prefix, n, started + seconds, result)
                           for n in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


async def count_lost(http: httpx.AsyncClient, result: LoadResult) -> int:
    """Read every acknowledged, undeleted put back (16 at a time)."""
    gate = asyncio.Semaphore(16)

    async def check(ns: str, key: str, text: str) -> bool:
        async with gate:
            try:
                r = await http.get("/store/items", params={"namespace": ns, "key": key})
            except httpx.TransportError:  # a read is safe to retry once
                r = await http.get("/store/items", params={"namespace": ns, "key": key})
        body = r.json() if r.status_code == 200 else None
        return not body or body["value"].get("content") != text

    checks = [check(ns, key, text) for (ns, key), text in result.acked.items()]
    result.lost = sum(await asyncio.gather(*checks))
    return result.lost


async def search_alone(http: httpx.AsyncClient, prefix: str, count: int) -> float:
    """p50 of searches one at a time (namespace c0 of an earlier load), in ms."""
    times = []
    for i in range(count):
        body = {"namespace_prefix": [prefix, "c0"], "query": QUERIES[i % len(QUERIES)],
                "limit": 10}
        started = time.perf_counter()
        (await http.post("/store/items/search", json=body)).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50))
