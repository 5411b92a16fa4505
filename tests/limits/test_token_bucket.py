"""The shared token bucket on a real Postgres: burst, refill, the wait it reports, sweeping.
The test moves a bucket's clock by moving its `updated` time back (the database's now() is
the clock every replica shares)."""

import asyncio

import pytest

from app.db.pool import open_pool
from app.limits import token_bucket
from app.limits.token_bucket import SharedBuckets


@pytest.fixture
async def pool(database_url):
    pool = await open_pool(database_url, min_size=1, max_size=12)
    yield pool
    await pool.close()


async def age(pool, seconds: float, caller: str | None = None) -> None:
    """As if `seconds` had passed since the last request of `caller` (of everyone: None)."""
    async with pool.connection() as conn:
        await conn.execute(
            "UPDATE rate_limits SET updated = updated - make_interval(secs => %s) "
            "WHERE %s::text IS NULL OR caller = %s", (seconds, caller, caller))


async def callers(pool) -> set[str]:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT caller FROM rate_limits")
        return {r["caller"] for r in await cur.fetchall()}


async def test_burst_then_refill_at_the_rate(pool):
    buckets = SharedBuckets(lambda: pool, per_minute=6, burst=3)  # one token per 10 s
    assert [await buckets.take("a") for _ in range(3)] == [0, 0, 0]
    assert await buckets.take("a") == 10  # empty: one token in 10 s
    await age(pool, 5)
    assert await buckets.take("a") == 5  # half a token: 5 s to go
    await age(pool, 5)
    assert await buckets.take("a") == 0
    await age(pool, 1000)  # refills to the burst, not beyond
    assert [await buckets.take("a") > 0 for _ in range(4)] == [False, False, False, True]


async def test_callers_have_their_own_buckets(pool):
    buckets = SharedBuckets(lambda: pool, per_minute=6, burst=1)
    assert await buckets.take("a") == 0
    assert await buckets.take("a") > 0
    assert await buckets.take("b") == 0


async def test_concurrent_takes_never_spend_a_token_twice(pool):
    # two "replicas" (two SharedBuckets) racing on one key: exactly the burst gets through
    replicas = [SharedBuckets(lambda: pool, per_minute=1, burst=7) for _ in range(2)]
    waits = await asyncio.gather(*(replicas[i % 2].take("k") for i in range(20)))
    assert sum(w == 0 for w in waits) == 7


async def test_refilled_buckets_are_swept(pool, monkeypatch):
    monkeypatch.setattr(token_bucket, "SWEEP_EVERY_SECONDS", 0)
    buckets = SharedBuckets(lambda: pool, per_minute=60, burst=2)  # full again after 2 s
    await buckets.take("old")
    await buckets.take("busy")
    await buckets.take("busy")
    await age(pool, 5, "old")
    await age(pool, 1, "busy")  # one token back of two: not full yet
    await buckets.take("new")  # sweeps
    assert await callers(pool) == {"busy", "new"}
