"""SQL for webhook deliveries: claim the due ones (one replica each), record an attempt,
read the log, deliver again."""

import uuid
from datetime import datetime

from app.repositories.connection import AsyncConnection, one
from app.repositories.webhooks_rows import Attempt, DeliveryRecord, EventRecord

# A pending delivery of an enabled endpoint that no earlier event about the same memory or
# job holds back (per endpoint, one subject's deliveries go in event order).
_WAITING = """
    d.status = 'pending' AND w.enabled
    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                    WHERE e.webhook_id = d.webhook_id AND e.subject = d.subject
                      AND e.status = 'pending' AND e.event_id < d.event_id)
"""


async def claim_due(conn: AsyncConnection, limit: int, lease_seconds: float) -> list[Attempt]:
    """Lease up to `limit` due deliveries of enabled endpoints. SKIP LOCKED: replicas claiming
    at once take different rows, and the lease keeps the others off while one attempt is in
    flight (no transaction is held open during the HTTP call). A delivery waits while an
    earlier event about the same memory or job is still pending for that endpoint."""
    cur = await conn.execute(
        """
        WITH due AS (
            SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE """ + _WAITING + """ AND d.next_attempt_at <= now()
              AND (d.locked_until IS NULL OR d.locked_until < now())
            ORDER BY d.next_attempt_at, d.id LIMIT %s
            FOR UPDATE OF d SKIP LOCKED
        )
        UPDATE webhook_deliveries d
        SET locked_until = now() + make_interval(secs => %s), attempts = d.attempts + 1
        FROM due, webhooks w, webhook_events ev
        WHERE d.id = due.id AND w.id = d.webhook_id AND ev.id = d.event_id
        RETURNING d.id AS delivery_id, d.attempts, w.url, w.secret, ev.id, ev.type,
                  ev.prefix, ev.subject, ev.payload, ev.created_at
        """, (limit, lease_seconds))
    return [Attempt(r["delivery_id"], r["attempts"], r["url"], r["secret"],
                    EventRecord.from_row(r)) for r in await cur.fetchall()]


async def seconds_until_due(conn: AsyncConnection) -> float | None:
    """How long until the next delivery claim_due would take comes due: its retry time, or
    the end of another replica's lease on it (that replica may have stopped mid-attempt).
    None: nothing pending. Counted by the database's clock, the one claim_due compares to."""
    cur = await conn.execute(
        """
        SELECT extract(epoch FROM min(greatest(d.next_attempt_at, d.locked_until))
                                  - clock_timestamp())::float8 AS seconds
        FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
        WHERE """ + _WAITING)
    return (await one(cur))["seconds"]


async def record_delivered(conn: AsyncConnection, delivery_id: int, status_code: int) -> None:
    await conn.execute(
        """
        UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(),
               last_status_code = %s, last_error = NULL, locked_until = NULL,
               next_attempt_at = NULL
        WHERE id = %s AND status = 'pending'
        """, (status_code, delivery_id))


async def record_failure(conn: AsyncConnection, delivery_id: int, status_code: int | None,
                         error: str, retry_at: datetime | None) -> None:
    """retry_at None: attempts are used up, the delivery is failed."""
    await conn.execute(
        """
        UPDATE webhook_deliveries
        SET status = CASE WHEN %s::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
            next_attempt_at = %s, last_status_code = %s, last_error = %s, locked_until = NULL
        WHERE id = %s AND status = 'pending'
        """, (retry_at, retry_at, status_code, error, delivery_id))


async def log(conn: AsyncConnection, webhook_id: uuid.UUID, status: str | None,
              limit: int, offset: int) -> list[DeliveryRecord]:
    cur = await conn.execute(
        """
        SELECT d.*, ev.type AS event_type FROM webhook_deliveries d
        JOIN webhook_events ev ON ev.id = d.event_id
        WHERE d.webhook_id = %s AND (%s::text IS NULL OR d.status = %s)
        ORDER BY d.id DESC LIMIT %s OFFSET %s
        """, (webhook_id, status, status, limit, offset))
    return [DeliveryRecord.from_row(r) for r in await cur.fetchall()]


async def redeliver(conn: AsyncConnection, webhook_id: uuid.UUID,
                    delivery_ids: list[int] | None) -> list[int]:
    """Due again now with fresh attempts: the given deliveries, or (None) every failed one."""
    cur = await conn.execute(
        """
        UPDATE webhook_deliveries
        SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL,
            delivered_at = NULL
        WHERE webhook_id = %s
          AND (CASE WHEN %s::bigint[] IS NULL THEN status = 'failed' ELSE id = ANY (%s) END)
        RETURNING id
        """, (webhook_id, delivery_ids, delivery_ids))
    return sorted(r["id"] for r in await cur.fetchall())
