"""What wakes the delivery worker between its due times: one connection of its own, out of
the pool, LISTENing on the channel the triggers of migrations/0015 notify at commit.

A notification lost while that connection is down loses nothing: every (re)connection wakes
a round, which finds whatever was committed meanwhile in the tables."""

import asyncio

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row

from app.repositories import webhooks_events as events_sql
from app.webhooks.outage import Backoff, FailureLog

# An idle LISTEN sends nothing, so a database gone without closing the connection (a network
# partition, a killed host) would go unnoticed for hours: TCP keepalives notice it in ~1 min.
_CONNECT_OPTIONS = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                    "keepalives_count": 3, "connect_timeout": 10}


class Wakeup:
    """`event` is set on every notification and (re)connection, `connected` on the latter
    only; the worker clears both before each round."""

    def __init__(self, conninfo: str, failures: FailureLog) -> None:
        self.conninfo = make_conninfo(conninfo, **_CONNECT_OPTIONS)
        self.event = asyncio.Event()
        self.connected = asyncio.Event()
        self._failures = failures

    def clear(self) -> None:
        self.event.clear()
        self.connected.clear()

    async def run_forever(self) -> None:
        backoff = Backoff()
        while True:
            try:
                await self._listen(backoff)
            except Exception as exc:  # psycopg's, the database away: connect again later
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # a shutdown's cancel that surfaced as another error
                if backoff.failures == 0:  # only the first of a row says so
                    self._failures.failed(exc)
            await asyncio.sleep(backoff.next())

    async def _listen(self, backoff: Backoff) -> None:
        conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True,
                                                     row_factory=dict_row)
        try:
            await events_sql.listen(conn)
            backoff.reset()
            self.connected.set()
            self.event.set()
            async for _ in conn.notifies():
                self.event.set()
        finally:  # not `async with`: its rollback on a broken connection logs a warning
            await conn.close()
