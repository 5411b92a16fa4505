"""Search p50 on the primary vs a streaming replica (DATABASE_READ_URL).

Builds a primary and a real streaming replica (tests/replicas_read/cluster.py), loads
--count synthetic memories across --tenants namespaces through the service, waits for the
replica to replay them, then runs the same searches alternately on each: the service's own
path, `search(fresh=True)` (primary) and `search()` (replica). Query vectors are cached after
their first use (EMBED_CACHE_SIZE) and embedded before they are timed, so the figures are
the database's part plus the service's; the two sides alternate which goes first. Both
servers share this machine's cores: this measures what routing to a replica costs or
saves per search, not the capacity a replica on its own host adds.

    EMBEDDING_MODEL_PATH=... .venv/bin/python -m bench.read_replica [--count 3000]
"""

import argparse
import asyncio
import os
import statistics
import time

from psycopg.conninfo import make_conninfo

from app.config import Settings
from app.domain.history import Origin
from app.runtime import open_runtime
from bench.data import generate_texts
from tests.replicas_read.cluster import streaming_cluster

MODES = ("hybrid", "semantic", "keyword", None)  # None: a filtered listing, no query


async def measure(primary_url: str, replica_url: str, count: int, tenants: int,
                  rounds: int, catch_up) -> dict[tuple[str, str], list[float]]:
    settings = Settings(database_url=primary_url, database_read_url=replica_url)
    texts, questions = generate_texts(7, count)
    async with open_runtime(settings) as runtime:
        memories = runtime.memories
        batch = settings.max_batch_items
        for start in range(0, count, batch):
            await memories.create_many(
                [(("bench", f"t{i % tenants}"), None,
                  {"kind": "Memory", "content": {"content": texts[i]}}, None, None)
                 for i in range(start, min(count, start + batch))], origin=Origin("api"))
        catch_up()
        timings: dict[tuple[str, str], list[float]] = {}
        for r in range(rounds):
            question = questions[r % len(questions)]
            await memories.embed([question])  # cached now: neither side pays for it
            scope = ("bench", f"t{r % tenants}") if r % 2 else ("bench",)
            sides = [("primary", True), ("replica", False)]
            for mode in MODES:
                for where, fresh in sides if r % 2 else sides[::-1]:  # neither always first
                    began = time.perf_counter()
                    await memories.search(scope, query=question if mode else None,
                                          mode=mode, limit=10, fresh=fresh,
                                          filter=None if mode else {"kind": "Memory"})
                    timings.setdefault((mode or "listing", where), []).append(
                        (time.perf_counter() - began) * 1000)
        return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    with streaming_cluster() as replica:
        replica.primary.sql("CREATE DATABASE bench")
        replica.catch_up()
        timings = asyncio.run(measure(
            make_conninfo(replica.primary.admin_url, dbname="bench"), replica.url("bench"),
            args.count, args.tenants, args.rounds, replica.catch_up))
    print(f"search latency, ms ({args.count} memories in {args.tenants} namespaces, "
          f"{args.rounds} searches per cell, {os.cpu_count()} cores, primary and replica "
          "on this one machine)")
    print(f"{'search':<10}{'primary p50':>13}{'replica p50':>13}{'primary p95':>13}"
          f"{'replica p95':>13}")
    for mode in ("hybrid", "semantic", "keyword", "listing"):
        p, r = timings[(mode, "primary")][1:], timings[(mode, "replica")][1:]  # warm only
        print(f"{mode:<10}{statistics.median(p):>13.2f}{statistics.median(r):>13.2f}"
              f"{_p95(p):>13.2f}{_p95(r):>13.2f}")


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


if __name__ == "__main__":
    main()
