"""Token buckets keyed by caller, in process memory (each server process counts alone).

A token bucket rather than the `limits` package: that package offers fixed and moving
windows but no burst allowance separate from the sustained rate."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

SWEEP_EVERY = 1024  # new callers between sweeps of idle (refilled) buckets


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    def __init__(self, per_minute: int, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0  # tokens per second
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._new_since_sweep = 0

    def take(self, key: str) -> int:
        """Spend one token: 0 when allowed, else the whole seconds until one is available."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            self._note_new(now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0
        return max(1, math.ceil((1 - bucket.tokens) / self.rate))

    def _note_new(self, now: float) -> None:
        # A refilled bucket is the same as no bucket: drop those so memory follows the
        # callers active in the last burst/rate seconds, not every address ever seen.
        self._new_since_sweep += 1
        if self._new_since_sweep < SWEEP_EVERY:
            return
        self._new_since_sweep = 0
        full_after = self.burst / self.rate
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < full_after}
