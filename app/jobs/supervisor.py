"""Keeps the extraction worker running through database outages.

procrastinate's worker stops for good when its database goes away: its listener cannot
reconnect (or its heartbeat fails), the worker stops, and unregistering then raises. So the
worker runs under a supervisor that restarts it with a backoff, logs every restart, and
says what state it is in for /readyz. When restarts keep failing although the database
answers, something in this process is broken that a restart of the process may fix: /livez
then fails (STUCK_AFTER_FAILURES in a row).
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 5.0
HEALTHY_AFTER_SECONDS = 30.0  # a worker that ran this long starts the backoff afresh
STUCK_AFTER_FAILURES = 5


class WorkerSupervisor:
    def __init__(self, run: Callable[[], Awaitable[None]],
                 database_answers: Callable[[], Awaitable[bool]]) -> None:
        """`run()` runs the worker until it stops; `database_answers()` probes the database."""
        self._run = run
        self._database_answers = database_answers
        self.running = False
        self.restarts = 0
        self.last_error: str | None = None
        self.failures_with_database_up = 0
        self._started_at = 0.0
        self._stopping = False

    def stop(self) -> None:
        """A shutdown: no restart from now on; run_forever returns once the worker ends."""
        self._stopping = True

    def problem(self) -> str | None:
        if self.running:
            return None
        return f"extraction worker restarting after: {self.last_error}"

    def stuck(self) -> str | None:
        if self.failures_with_database_up < STUCK_AFTER_FAILURES or self._healthy():
            return None
        return (f"extraction worker failed {self.failures_with_database_up} restarts in a row "
                f"although the database answers: {self.last_error}")

    async def run_forever(self) -> None:
        backoff = FIRST_BACKOFF_SECONDS
        while not self._stopping:
            self._started_at = time.monotonic()
            self.running = True
            try:
                await self._run()
                error = "it stopped by itself"
            except asyncio.CancelledError:
                raise  # a drain or close: procrastinate stopped gracefully
            except Exception as exc:  # whatever stopped it, the queue needs a worker
                error = f"{type(exc).__name__}: {exc}"
            finally:
                self.running = False
            if self._stopping:  # it ended because it was asked to
                return
            self.last_error = error
            if time.monotonic() - self._started_at >= HEALTHY_AFTER_SECONDS:
                backoff = FIRST_BACKOFF_SECONDS
                self.failures_with_database_up = 0
            await self._count_failure()
            self.restarts += 1
            log.warning("extraction worker stopped (%s); restart %d in %.1f s",
                        error, self.restarts, backoff,
                        extra={"restarts": self.restarts, "error": error})
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def _healthy(self) -> bool:
        return self.running and time.monotonic() - self._started_at >= HEALTHY_AFTER_SECONDS

    async def _count_failure(self) -> None:
        if await self._database_answers():
            self.failures_with_database_up += 1
        else:  # an outage: restarting until it ends is the cure, not a process restart
            self.failures_with_database_up = 0
