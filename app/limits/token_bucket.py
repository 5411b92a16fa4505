"""Token buckets keyed by caller, kept in Postgres (app/repositories/rate_limits.py), so
every server process on one database spends from the same bucket.

A token bucket rather than the `limits` package: that package offers fixed and moving
windows but no burst allowance separate from the sustained rate."""

import math
import time
from collections.abc import Callable

from app.repositories import rate_limits as buckets_sql
from app.repositories.connection import AsyncConnectionPool

# How often each process deletes the buckets that have refilled: the table then holds the
# callers of the last burst/rate seconds (plus this), not every key or address ever seen.
SWEEP_EVERY_SECONDS = 60.0


class SharedBuckets:
    def __init__(self, pool: Callable[[], AsyncConnectionPool], per_minute: int,
                 burst: int) -> None:
        """`pool`: the runtime's pool, read when the first request arrives."""
        self.pool = pool
        self.rate = per_minute / 60.0  # tokens per second
        self.burst = burst
        self._next_sweep = time.monotonic() + SWEEP_EVERY_SECONDS

    async def take(self, caller: str) -> int:
        """Spend one token: 0 when allowed, else the whole seconds until one is available."""
        async with self.pool().connection() as conn:
            allowed, tokens = await buckets_sql.take_token(conn, caller, self.rate,
                                                           self.burst)
            if time.monotonic() >= self._next_sweep:
                self._next_sweep = time.monotonic() + SWEEP_EVERY_SECONDS
                await buckets_sql.sweep_full(conn, self.rate, self.burst)
        if allowed:
            return 0
        return max(1, math.ceil((1 - tokens) / self.rate))
