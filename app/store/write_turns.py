"""At most N writes of one process embed and write at once; the rest wait their turn.

A write (embedding its text, a transaction with triggers) costs several times a read's CPU.
Under a write-heavy load every write started at once shares the event loop and the cores
with the reads, so a search waits behind all of them. Waiting here costs no CPU: reads pass
by the queue, and writes are served first come, first served. A delete alone embeds
nothing and does not wait. When a write finds no database connection, the writes queued
behind it fail with it at once instead of each waiting out its own timeout in turn.
"""

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from psycopg_pool import PoolTimeout

from app.observability.metrics import WRITES_WAITING


def write_concurrency(configured: int | None, embedding_provider: str) -> int:
    """WRITE_CONCURRENCY, or when unset: a local model's writes are CPU-bound, so more of them
    at once than the cores (+1 to keep them busy between steps) only queue in front of the
    reads; a remote model's wait on the network, and are not bounded (0)."""
    if configured is not None:
        return configured
    if embedding_provider != "fastembed":
        return 0
    # the cores this process may run on (a cpuset, say), where the OS can tell
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1


class WriteTurns:
    def __init__(self, concurrency: int) -> None:
        """`concurrency` 0: no bound."""
        self._slots = asyncio.Semaphore(concurrency) if concurrency > 0 else None
        self.waiting = 0
        self._away_at = -1.0  # when a write last found the database away (loop time)

    @contextlib.asynccontextmanager
    async def turn(self, *, needed: bool = True) -> AsyncIterator[None]:
        if self._slots is None or not needed:
            yield
            return
        loop = asyncio.get_running_loop()
        queued_at = loop.time()
        self.waiting += 1
        WRITES_WAITING.inc()
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
            WRITES_WAITING.dec()
        try:
            # A write before this one waited out the pool's timeout while this one queued:
            # the database is away, so answer now (503), as without the queue, not one
            # timeout per turn later. Other errors are the write's own and stop nothing.
            if self._away_at >= queued_at:
                raise PoolTimeout("no database connection for the writes before this one")
            yield
        except PoolTimeout:
            self._away_at = loop.time()
            raise
        finally:
            self._slots.release()
