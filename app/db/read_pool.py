"""The read replica (DATABASE_READ_URL): its pool, whether reads may use it, its state.

A replica that cannot be reached must not take the service down with it: a read it cannot
serve (REPLICA_ERRORS), or that it does not answer within READ_REPLICA_TIMEOUT_SECONDS (a
frozen host, a network partition), runs again on the primary, and reads stay on the primary
for REPLICA_RETRY_SECONDS before trying the replica again (meanwhile its pool reconnects by
itself). Only reads come here: nothing is written twice by a retry.
"""

import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from psycopg import OperationalError
from psycopg import errors as pg
from psycopg.conninfo import make_conninfo

from app.db.bounded_wait import BoundedWaits, NoAnswer
from app.db.migrate import pending_migrations
from app.db.pool import open_pool
from app.repositories import replica as replica_sql
from app.repositories.connection import AsyncConnectionPool

log = logging.getLogger(__name__)

# A healthy replica hands out a connection at once; waiting longer only delays the fallback.
REPLICA_CHECKOUT_SECONDS = 1.0
REPLICA_RETRY_SECONDS = 5.0
# Shutdown waits at most this long for reads given up on and for the pool's own tasks.
REPLICA_CLOSE_SECONDS = 1.0
# The replica's own failures: unreachable or gone mid-read, a query it cancelled to replay
# WAL (a conflict with recovery, SQLSTATE 40001), a schema behind the primary's (a migration
# not replayed yet, or a URL to a database never migrated). The primary answers the read.
REPLICA_ERRORS = (OperationalError, pg.SerializationFailure, pg.UndefinedTable,
                  pg.UndefinedColumn, pg.UndefinedFunction)

T = TypeVar("T")
S = TypeVar("S")


class ReadReplica:
    def __init__(self, pool: AsyncConnectionPool, timeout: float) -> None:
        self.pool = pool
        self.timeout = timeout  # READ_REPLICA_TIMEOUT_SECONDS: one read's whole wait
        self._down_until = 0.0
        self._waits = BoundedWaits()  # reads given up on, still ending in the background

    @classmethod
    async def open(cls, url: str, *, min_size: int, max_size: int,
                   timeout: float) -> "ReadReplica":
        # A new connection to a host that does not answer gives up too (libpq counts whole
        # seconds, at least 2), so the pool's attempts end and its shutdown is not held.
        url = make_conninfo(url, connect_timeout=max(2, math.ceil(timeout)))
        # Not waiting for it: the service starts, and writes, with its replica down.
        return cls(await open_pool(url, min_size=min_size, max_size=max_size,
                                   timeout=REPLICA_CHECKOUT_SECONDS, wait=False), timeout)

    @property
    def in_use(self) -> bool:
        return time.monotonic() >= self._down_until

    async def run(self, read: Callable[[S], Awaitable[T]], replica: S, primary: S) -> T:
        """`read` on the replica's side when it is in use, else (or if it fails) the primary's."""
        if not self.in_use:
            return await read(primary)
        try:
            return await self._waits.within(read(replica), self.timeout)
        except (NoAnswer, *REPLICA_ERRORS) as exc:
            self._failed(exc)
            return await read(primary)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, pg.SerializationFailure):  # one query cancelled; the replica is up
            log.info("read replica cancelled a read (%s); the primary answered it", exc)
            return
        self._down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        log.warning("read replica unavailable (%s: %s); reads go to the primary for %g s",
                    type(exc).__name__, exc, REPLICA_RETRY_SECONDS)

    async def status(self, timeout: float) -> dict[str, Any]:
        """For /readyz: reachable or not, a standby or not, its lag, where reads go."""
        try:
            lag, pending = await self._waits.within(self._probe(timeout), timeout)
        except (NoAnswer, *REPLICA_ERRORS) as exc:
            detail = str(exc) if str(exc) else f"no answer within {timeout:g} s"
            self._failed(OperationalError(detail))
            return {"state": "unreachable", "reads": "primary", "detail": detail}
        if pending:
            detail = f"migrations not applied there: {', '.join(pending)}"
            self._failed(pg.UndefinedTable(detail))
            return {"state": "behind on migrations", "reads": "primary", "detail": detail}
        self._down_until = 0.0  # it answers: reads may go back at once
        return {"state": "streaming" if lag.in_recovery else "not a replica",
                "reads": "replica", "lag_seconds": round(lag.lag_seconds, 3),
                "replay_paused": lag.replay_paused}

    async def _probe(self, timeout: float) -> tuple[replica_sql.ReplicaLag, list[str]]:
        async with self.pool.connection(timeout=timeout) as conn:
            return await replica_sql.replica_lag(conn), await pending_migrations(conn)

    @property
    def reads_given_up(self) -> int:
        return self._waits.given_up

    async def close(self) -> None:
        """Bounded whatever the replica does. The pool first, so that none of the
        connections closed next is replaced."""
        await self.pool.close(timeout=REPLICA_CLOSE_SECONDS)
        await self._waits.end_all(REPLICA_CLOSE_SECONDS)
