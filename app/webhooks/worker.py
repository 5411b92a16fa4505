"""The delivery worker every server runs (started by app/runtime.py): fan out new events,
attempt the due deliveries, record each outcome, prune the old log; sleep when idle.

An outbox polled by this worker rather than a procrastinate job per delivery: the events are
written by triggers inside the changing transaction (every door, including plain LangGraph
store writes), where deferring a procrastinate job is not possible, and the delivery rows
are the log an admin reads (attempts, last error, next attempt) and the order per memory."""

import asyncio
import logging
import time

import httpx

from app.config import Settings
from app.repositories import webhooks_deliveries as deliveries_sql
from app.repositories import webhooks_events as events_sql
from app.repositories.connection import AsyncConnectionPool
from app.repositories.webhooks_rows import Attempt
from app.webhooks.backoff import retry_at
from app.webhooks.delivery import Outcome, attempt_delivery
from app.webhooks.dispatch import dispatch_once

log = logging.getLogger(__name__)
PRUNE_EVERY_SECONDS = 600
MAX_ERROR_CHARS = 500


class WebhookWorker:
    def __init__(self, pool: AsyncConnectionPool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings
        # a lease outlives the attempt's own time limit: no other replica takes it meanwhile
        self.lease_seconds = settings.webhook_timeout_seconds + 30
        self._pruned_at = 0.0
        self._in_flight: set[asyncio.Task] = set()

    async def run_forever(self) -> None:
        # No pooled connections: one is keyed by the pinned address, and must not carry a
        # request for another host name (TLS was checked for the first). No proxy from the
        # environment either: the checked address is the one connected to.
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False,
                                     limits=httpx.Limits(max_keepalive_connections=0),
                                     timeout=self.settings.webhook_timeout_seconds) as client:
            try:
                while True:
                    try:
                        busy = await self.run_once(client)
                    except Exception:  # the database away, say: the next round tries again
                        task = asyncio.current_task()
                        if task is not None and task.cancelling():
                            raise  # a shutdown's cancel that surfaced as another error
                        log.exception("webhook worker round failed")
                        busy = False
                    if not busy:
                        await asyncio.sleep(self.settings.webhook_poll_seconds)
            finally:  # shutdown: attempts in flight stop; their leases expire, they run again
                for task in self._in_flight:
                    task.cancel()
                await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def run_once(self, client: httpx.AsyncClient) -> bool:
        """Fan out, then start attempts in the free slots without waiting for them: a
        receiver that hangs holds one slot, never the worker."""
        dispatched = await dispatch_once(self.pool)
        free = self.settings.webhook_concurrency - len(self._in_flight)
        attempts = []
        if free > 0:
            async with self.pool.connection() as conn:
                attempts = await deliveries_sql.claim_due(conn, free, self.lease_seconds)
        for attempt in attempts:
            task = asyncio.create_task(self._deliver(client, attempt))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        await self._prune()
        return bool(dispatched or attempts)

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
        except Exception:  # the database away: the lease expires and the attempt runs again
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

    async def _prune(self) -> None:
        if time.monotonic() - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = time.monotonic()
        async with self.pool.connection() as conn:
            await events_sql.prune(conn, self.settings.webhook_log_retention_hours)
