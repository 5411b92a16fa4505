"""The delivery worker every server runs (started by app/runtime.py): fan out new events,
attempt the due deliveries, record each outcome, prune the old log; wait for work when idle.

An outbox read by this worker rather than a procrastinate job per delivery: the events are
written by triggers inside the changing transaction (every door, including plain LangGraph
store writes), where deferring a procrastinate job is not possible, and the delivery rows
are the log an admin reads (attempts, last error, next attempt) and the order per memory.

Idle, it asks the database nothing: it waits for a notification (app/webhooks/wakeup.py), an
attempt of its own ending, the next retry or lease expiry it read after its last round, or
at the latest WEBHOOK_POLL_SECONDS. Without the database it backs off, saying so once
(app/webhooks/outage.py)."""

import asyncio
import contextlib
import time

import httpx

from app.config import Settings
from app.repositories import webhooks_deliveries as deliveries_sql
from app.repositories import webhooks_events as events_sql
from app.repositories.connection import AsyncConnectionPool
from app.webhooks.attempts import Attempts
from app.webhooks.dispatch import dispatch_once
from app.webhooks.outage import Backoff, FailureLog
from app.webhooks.wakeup import Wakeup

PRUNE_EVERY_SECONDS = 600
# Due already, yet not claimed: another transaction holds the row (a replica claiming it,
# a forget deleting it). Look again this soon, not in a tight loop.
CONTENDED_WAIT_SECONDS = 0.25


class WebhookWorker:
    def __init__(self, pool: AsyncConnectionPool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings
        # a lease outlives the attempt's own time limit: no other replica takes it meanwhile
        self.lease_seconds = settings.webhook_timeout_seconds + 30
        self._pruned_at = 0.0
        self._failures = FailureLog()
        if not isinstance(pool.conninfo, str):  # app/db/pool.py opens every pool with a URL
            raise TypeError("the webhook worker needs a pool opened with a connection string")
        self._wakeup = Wakeup(pool.conninfo, self._failures)
        # an attempt ending wakes a round: a free slot, a retry time, the memory's next event
        self._attempts = Attempts(pool, settings, self._failures, self._wakeup.event.set)

    async def run_forever(self) -> None:
        # No pooled connections: one is keyed by the pinned address, and must not carry a
        # request for another host name (TLS was checked for the first). No proxy from the
        # environment either: the checked address is the one connected to.
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False,
                                     limits=httpx.Limits(max_keepalive_connections=0),
                                     timeout=self.settings.webhook_timeout_seconds) as client:
            listener = asyncio.create_task(self._wakeup.run_forever(), name="webhook-wakeup")
            try:
                backoff = Backoff()
                while True:
                    self._wakeup.clear()  # before the round: a wake-up during it counts
                    wait, woken_by = await self._round(client, backoff)
                    if wait > 0:
                        # asyncio.timeout, not wait_for: 3.11's wait_for returns a wake-up
                        # that meets a shutdown's cancel, losing the cancel for good
                        with contextlib.suppress(TimeoutError):
                            async with asyncio.timeout(wait):
                                await woken_by.wait()
            finally:
                listener.cancel()
                await asyncio.gather(listener, self._attempts.stop(), return_exceptions=True)

    async def _round(self, client: httpx.AsyncClient,
                     backoff: Backoff) -> tuple[float, asyncio.Event]:
        """run_once, reporting a failure once per spell; answers how long to wait, unless
        the event comes first. After a failure only a reconnected listener (the database
        is back) cuts the backoff short, not every write's notification."""
        try:
            wait = await self.run_once(client)
        except Exception as exc:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # a shutdown's cancel that surfaced as another error
            self._failures.failed(exc)
            return backoff.next(), self._wakeup.connected
        backoff.reset()
        self._failures.succeeded()
        return wait, self._wakeup.event

    async def run_once(self, client: httpx.AsyncClient) -> float:
        """Fan out, then start attempts in the free slots (app/webhooks/attempts.py).
        Answers how long to wait: 0 when there may be more to do at once, else until the
        next due time, if any."""
        dispatched = await dispatch_once(self.pool)
        free = self._attempts.free()
        attempts = []
        due_in = None
        if free > 0:
            async with self.pool.connection() as conn:
                attempts = await deliveries_sql.claim_due(conn, free, self.lease_seconds)
                if not (dispatched or attempts):
                    due_in = await deliveries_sql.seconds_until_due(conn)
        for attempt in attempts:
            self._attempts.start(client, attempt)
        await self._prune()
        if dispatched or attempts:
            return 0.0
        poll = self.settings.webhook_poll_seconds
        if due_in is None:
            return poll
        return min(poll, due_in if due_in > 0 else CONTENDED_WAIT_SECONDS)

    async def _prune(self) -> None:
        if time.monotonic() - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = time.monotonic()
        async with self.pool.connection() as conn:
            await events_sql.prune(conn, self.settings.webhook_log_retention_hours)
