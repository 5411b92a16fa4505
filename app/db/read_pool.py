"""The read replica (DATABASE_READ_URL): its pool, whether reads may use it, its state.

A replica that cannot be reached must not take the service down with it: a read it cannot
serve (REPLICA_ERRORS) runs again on the primary, and reads stay on the primary for
REPLICA_RETRY_SECONDS before trying the replica again (meanwhile its pool reconnects by
itself). Only reads come here: nothing is written twice by a retry.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from psycopg import OperationalError
from psycopg import errors as pg

from app.db.migrate import pending_migrations
from app.db.pool import open_pool
from app.repositories import replica as replica_sql
from app.repositories.connection import AsyncConnectionPool

log = logging.getLogger(__name__)

# A healthy replica hands out a connection at once; waiting longer only delays the fallback.
REPLICA_CHECKOUT_SECONDS = 1.0
REPLICA_RETRY_SECONDS = 5.0
# The replica's own failures: unreachable or gone mid-read, a query it cancelled to replay
# WAL (a conflict with recovery, SQLSTATE 40001), a schema behind the primary's (a migration
# not replayed yet, or a URL to a database never migrated). The primary answers the read.
REPLICA_ERRORS = (OperationalError, pg.SerializationFailure, pg.UndefinedTable,
                  pg.UndefinedColumn, pg.UndefinedFunction)

T = TypeVar("T")
S = TypeVar("S")


class ReadReplica:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool
        self._down_until = 0.0

    @classmethod
    async def open(cls, url: str, *, min_size: int, max_size: int) -> "ReadReplica":
        # Not waiting for it: the service starts, and writes, with its replica down.
        return cls(await open_pool(url, min_size=min_size, max_size=max_size,
                                   timeout=REPLICA_CHECKOUT_SECONDS, wait=False))

    @property
    def in_use(self) -> bool:
        return time.monotonic() >= self._down_until

    async def run(self, read: Callable[[S], Awaitable[T]], replica: S, primary: S) -> T:
        """`read` on the replica's side when it is in use, else (or if it fails) the primary's."""
        if not self.in_use:
            return await read(primary)
        try:
            return await read(replica)
        except REPLICA_ERRORS as exc:
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
            async with asyncio.timeout(timeout):
                async with self.pool.connection(timeout=timeout) as conn:
                    lag = await replica_sql.replica_lag(conn)
                    pending = await pending_migrations(conn)
        except (TimeoutError, *REPLICA_ERRORS) as exc:
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

    async def close(self) -> None:
        await self.pool.close()
