"""The mixed /store load of issue 21: N clients, each looping in its own namespace:
put a memory, search with a query, get one item, delete one every tenth round.

Queries come from a small fixed pool (agent traffic repeats its questions); put texts
are unique, across loads too. Every acknowledged put not deleted since is read back at the
end: one that is missing or different counts as lost.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
import numpy as np

from bench.httpx_client import HttpxClient
from bench.load_http import KEEPALIVE_SECONDS as KEEPALIVE_SECONDS  # re-exported
from bench.load_http import ClientError, LoadClient, Reply

OPERATIONS = ("put", "search", "get", "delete")
ITEMS, SEARCH = "/store/items", "/store/items/search"
SUBJECTS = ["coffee", "hiking", "the dentist", "Python", "jazz", "the garden", "Lisbon",
            "running shoes", "the quarterly report", "sushi", "chess", "the new manager"]
VERBS = ["likes", "dislikes", "asked about", "plans to visit", "keeps forgetting",
         "wants reminders about", "talked at length about"]
QUERIES = [f"what does the user think about {s}?" for s in SUBJECTS] + [
    f"anything the user {v}" for v in VERBS]


def memory_text(client: int, round_: int, salt: str = "") -> str:
    """Salted with the load's namespace prefix: a text repeated from an earlier load would
    come from the server's embedding cache, making later loads' puts cheaper than new ones."""
    rng = random.Random(f"{salt}:{client}:{round_}")
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


def as_load_client(http: LoadClient | httpx.AsyncClient) -> LoadClient:
    """Callers holding an httpx client (bench/replicas.py's round robin) pass it as is."""
    return HttpxClient(http) if isinstance(http, httpx.AsyncClient) else http


def _json(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def get_target(dotted: str, key: str) -> str:
    return f"{ITEMS}?namespace={quote(dotted, safe='')}&key={quote(key, safe='')}"


async def _timed(result: LoadResult, op: str, call: Awaitable[Reply]) -> Reply | None:
    started = time.perf_counter()
    try:
        reply = await call
    except ClientError as exc:
        result.errors.append(f"{op}: {exc}")
        return None
    result.latencies[op].append((time.perf_counter() - started) * 1000)
    if reply.status >= 300:
        result.errors.append(f"{op}: {reply.status} {reply.body[:200]!r}")
        return None
    return reply


async def _client(http: LoadClient, prefix: str, n: int, deadline: float,
                  result: LoadResult) -> None:
    ns = [prefix, f"c{n}"]
    dotted = ".".join(ns)
    rng = random.Random(n)
    round_ = 0
    while time.perf_counter() < deadline:
        key, text = f"k{round_}", memory_text(n, round_, prefix)
        put = {"namespace": ns, "key": key, "value": {"content": text}}
        if await _timed(result, "put", http.send("PUT", ITEMS, _json(put))) is not None:
            result.acked[(dotted, key)] = text
        search = {"namespace_prefix": ns, "query": rng.choice(QUERIES), "limit": 10}
        await _timed(result, "search", http.send("POST", SEARCH, _json(search)))
        got = f"k{rng.randrange(round_ + 1)}"
        await _timed(result, "get", http.send("GET", get_target(dotted, got)))
        if round_ % 10 == 9:
            gone = f"k{rng.randrange(round_ + 1)}"
            body = {"namespace": ns, "key": gone}
            if await _timed(result, "delete", http.send("DELETE", ITEMS,
                                                        _json(body))) is not None:
                result.acked.pop((dotted, gone), None)
        round_ += 1


async def run_load(http: LoadClient | httpx.AsyncClient, prefix: str, concurrency: int,
                   seconds: float) -> LoadResult:
    client, result = as_load_client(http), LoadResult()
    started = time.perf_counter()
    await asyncio.gather(*(_client(client, prefix, n, started + seconds, result)
                           for n in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


async def count_lost(http: LoadClient | httpx.AsyncClient, result: LoadResult) -> int:
    """Read every acknowledged, undeleted put back (16 at a time)."""
    client, gate = as_load_client(http), asyncio.Semaphore(16)

    async def check(ns: str, key: str, text: str) -> bool:
        async with gate:
            try:
                r = await client.send("GET", get_target(ns, key))
            except ClientError:  # a read is safe to retry once
                r = await client.send("GET", get_target(ns, key))
        body = r.json() if r.status == 200 else None
        return not body or body["value"].get("content") != text

    checks = [check(ns, key, text) for (ns, key), text in result.acked.items()]
    result.lost = sum(await asyncio.gather(*checks))
    return result.lost


async def search_alone(http: LoadClient | httpx.AsyncClient, prefix: str,
                       count: int) -> float:
    """p50 of searches one at a time (namespace c0 of an earlier load), in ms."""
    client, times = as_load_client(http), []
    for i in range(count):
        body = {"namespace_prefix": [prefix, "c0"], "query": QUERIES[i % len(QUERIES)],
                "limit": 10}
        started = time.perf_counter()
        reply = await client.send("POST", SEARCH, _json(body))
        if reply.status != 200:
            raise ClientError(f"search alone: {reply.status} {reply.body[:200]!r}")
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50))
