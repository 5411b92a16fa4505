"""Delivery attempts in flight, at most WEBHOOK_CONCURRENCY of them: each calls its
receiver and records the outcome (delivered, or failed with its retry time), without the
worker waiting for it; a receiver that hangs holds one slot, never the worker."""

import asyncio
import logging
from collections.abc import Callable

import httpx

from app.config import Settings
from app.repositories import webhooks_deliveries as deliveries_sql
from app.repositories.connection import AsyncConnectionPool
from app.repositories.webhooks_rows import Attempt
from app.webhooks.backoff import retry_at
from app.webhooks.delivery import Outcome, attempt_delivery
from app.webhooks.outage import FailureLog, unavailable

log = logging.getLogger(__name__)
MAX_ERROR_CHARS = 500


class Attempts:
    """`on_end` runs as each attempt ends: a slot is free, a retry time is set, or the
    memory's next event may go."""

    def __init__(self, pool: AsyncConnectionPool, settings: Settings, failures: FailureLog,
                 on_end: Callable[[], None]) -> None:
        self.pool = pool
        self.settings = settings
        self._failures = failures
        self._on_end = on_end
        self._in_flight: set[asyncio.Task] = set()

    def free(self) -> int:
        return self.settings.webhook_concurrency - len(self._in_flight)

    def start(self, client: httpx.AsyncClient, attempt: Attempt) -> None:
        task = asyncio.create_task(self._deliver(client, attempt))
        self._in_flight.add(task)
        task.add_done_callback(self._ended)

    async def stop(self) -> None:
        """Shutdown: attempts in flight stop; their leases expire, they run again."""
        for task in self._in_flight:
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)

    def _ended(self, task: asyncio.Task) -> None:
        self._in_flight.discard(task)
        self._on_end()

    async def _deliver(self, client: httpx.AsyncClient, attempt: Attempt) -> None:
        try:
            outcome = await attempt_delivery(
                client, attempt, allow_private=self.settings.webhook_allow_private_urls,
                timeout=self.settings.webhook_timeout_seconds)
        except Exception as exc:  # a bug of ours: a failed attempt all the same, retried
            log.exception("webhook delivery %d attempt failed", attempt.delivery_id)
            outcome = Outcome(False, error=f"internal error: {type(exc).__name__}: {exc}")
        try:
            await self._record(attempt, outcome)
        except Exception as exc:  # the lease expires and the attempt runs again
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # a shutdown's cancel that surfaced as another error
            if unavailable(exc):
                self._failures.failed(exc)  # said once with the rounds' failures
            else:
                log.exception("webhook delivery %d could not be recorded", attempt.delivery_id)

    async def _record(self, attempt: Attempt, outcome: Outcome) -> None:
        async with self.pool.connection() as conn:
            if outcome.delivered:
                await deliveries_sql.record_delivered(conn, attempt.delivery_id,
                                                      outcome.status_code or 200)
                return
            error = (outcome.error or "failed")[:MAX_ERROR_CHARS]
            await deliveries_sql.record_failure(
                conn, attempt.delivery_id, outcome.status_code, error,
                retry_at(self.settings, attempt.attempts))
        log.info("webhook delivery %d attempt %d failed: %s", attempt.delivery_id,
                 attempt.attempts, error)
