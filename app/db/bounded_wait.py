"""Waiting at most so long for a query, without waiting for its cancellation.

Cancelling a psycopg query that its server does not answer (a frozen host, a partition)
makes psycopg ask the server to cancel it, then wait for the query to end, up to 10 s,
before it closes that connection (which its pool then discards). A timeout around the
query would wait for all that too; here the query runs in a task of its own that the
caller stops waiting for, and that goes on ending in the background.
"""

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")


class NoAnswer(Exception):
    """The work neither finished nor failed in time."""


class BoundedWaits:
    def __init__(self) -> None:
        self._given_up: set[asyncio.Future[Any]] = set()

    async def within(self, work: Awaitable[T], timeout: float) -> T:
        """`work`'s result or error, or NoAnswer after `timeout` seconds."""
        task = asyncio.ensure_future(work)
        try:
            done, _ = await asyncio.wait({task}, timeout=timeout)
        except asyncio.CancelledError:  # the caller itself was cancelled
            self._give_up(task)
            raise
        if not done:
            self._give_up(task)
            raise NoAnswer(f"no answer within {timeout:g} s")
        return task.result()

    @property
    def given_up(self) -> int:
        """Work given up on that has not ended yet (psycopg still cancelling its query)."""
        return len(self._given_up)

    async def end_all(self, timeout: float) -> None:
        """Cancel what was given up on again, until it ends or `timeout` passes: reaching
        psycopg while it waits for the server, a cancellation makes it close the connection
        at once. Again and again, as one not delivered yet takes in the next."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (pending := {t for t in self._given_up if not t.done()}) and (
                left := deadline - loop.time()) > 0:
            for task in pending:
                task.cancel()
            await asyncio.wait(pending, timeout=min(0.05, left))

    def _give_up(self, task: asyncio.Future[Any]) -> None:
        task.cancel()
        self._given_up.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Future[Any]) -> None:
        self._given_up.discard(task)
        if not task.cancelled():
            task.exception()  # nobody waits for it: its outcome no longer matters
