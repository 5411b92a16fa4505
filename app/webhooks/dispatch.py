"""Fan the outbox's events out to the endpoints that may receive them, one delivery row per
(endpoint, event). One replica at a time (an advisory lock), in event id order: one memory's
changes commit in that order (its row lock serialises them), so its deliveries do too."""

import uuid

from app.repositories import webhooks as webhooks_sql
from app.repositories import webhooks_events as events_sql
from app.repositories.connection import AsyncConnectionPool
from app.webhooks.matching import receives


async def dispatch_once(pool: AsyncConnectionPool, batch: int = 500) -> int:
    """Fan out up to `batch` events; answers how many were taken (0: nothing to do, or
    another replica is at it)."""
    async with pool.connection() as conn, conn.transaction():
        if not await events_sql.lock_dispatch(conn):
            return 0
        events = await events_sql.undispatched(conn, batch)
        if not events:
            return 0
        subscribers = await webhooks_sql.subscribers(conn)
        rows: list[tuple[uuid.UUID, int, str]] = []
        dispatched: list[int] = []
        unwanted: list[int] = []
        for event in events:
            targets = [s.webhook.id for s in subscribers if receives(s, event)]
            rows += [(webhook_id, event.id, event.subject) for webhook_id in targets]
            (dispatched if targets else unwanted).append(event.id)
        await events_sql.add_deliveries(conn, rows)
        await events_sql.settle(conn, dispatched, unwanted)
        return len(events)
