"""Connection pools: one shared pool for the store and repositories (the job queue has its
own, of the same class).

While the database is away, a checkout waits DB_UNAVAILABLE_TIMEOUT_SECONDS and then fails
(answered 503, app/db/unavailable.py). Once it is back, the pool recovers within a second:
every checkout checks its connection, so none broken by the outage is handed out, and lost
connections are re-made at most RECONNECT_DELAY_SECONDS apart (psycopg_pool doubles its
delay up to minutes, which left the service failing long after the database returned).
"""

import math
import select
import time
from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool as PsycopgPool
from psycopg_pool.base import AttemptWithBackoff

from app.repositories.connection import AsyncConnection, AsyncConnectionPool

RECONNECT_DELAY_SECONDS = 1.0


class _SteadyAttempt(AttemptWithBackoff):
    INITIAL_DELAY = RECONNECT_DELAY_SECONDS
    DELAY_BACKOFF = 1.0  # a fixed, short delay: reconnecting is cheap, waiting is not


# A connection back from a request this recently is checked without a round trip.
FRESH_SECONDS = 1.0


async def check_connection(conn: AsyncConnection) -> None:
    """Raise if `conn` is broken. A round trip (an empty query) costs ~0.2 ms of Python, and
    requests under load check out 1-2 connections each, every few milliseconds; so one used
    within FRESH_SECONDS is only polled: an idle connection has nothing to read unless the
    server wrote to it, which it does as it closes one (a restart, an admin's terminate:
    FATAL, then end of file). What no poll can see (a cut network) takes longer than a
    second to matter, and the round trip then checks it."""
    idle = time.monotonic() - getattr(conn, "_memory_returned_at", -math.inf)
    if idle < FRESH_SECONDS and not _has_input(conn):
        return
    await PsycopgPool.check_connection(conn)


def _has_input(conn: AsyncConnection) -> bool:
    if conn.closed:
        return True  # the round trip raises for it
    if hasattr(select, "poll"):  # select() fails on descriptors past 1023, a busy server's
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLIN)  # hang-ups and errors come too
        return bool(poller.poll(0))
    return bool(select.select([conn.fileno()], [], [], 0)[0])  # Windows


class ResilientPool(PsycopgPool[AsyncConnection]):
    """Checks each connection on checkout and reconnects without a growing backoff."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("check", check_connection)
        super().__init__(*args, **kwargs)

    async def putconn(self, conn: AsyncConnection) -> None:
        conn._memory_returned_at = time.monotonic()  # type: ignore[attr-defined]
        await super().putconn(conn)

    async def _add_connection(self, attempt: AttemptWithBackoff | None,
                              growing: bool = False) -> None:
        # psycopg_pool 3.3's only reconnection path: give it our attempt schedule.
        await super()._add_connection(
            attempt or _SteadyAttempt(timeout=self.reconnect_timeout), growing=growing)


async def open_pool(url: str, *, min_size: int, max_size: int,
                    timeout: float = 30.0, wait: bool = True) -> AsyncConnectionPool:
    """`timeout`: how long a checkout waits for a connection before PoolTimeout. `wait`:
    fail unless the database answers now (else connect in the background)."""
    # The store expects autocommit connections with dict rows and no server-side prepares
    # (prepared statements break behind pgbouncer-style poolers).
    pool = ResilientPool(
        url,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout,
        kwargs={"autocommit": True, "prepare_threshold": None, "row_factory": dict_row},
        open=False,
    )
    if wait:
        await pool.open(wait=True, timeout=30)
    else:
        await pool.open(wait=False)
    return pool
