"""SQL for the webhook outbox: events the triggers (and forget) write in the changing
transaction, fanned out to deliveries by one dispatcher at a time, erased with their
namespace."""

import uuid
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from app.repositories.conditions import ns_text, prefix_scope
from app.repositories.connection import AsyncConnection, one
from app.repositories.webhooks_rows import EventRecord

# One dispatcher at a time across replicas: events are fanned out in id order, which is what
# keeps one memory's deliveries in the order its changes committed.
_DISPATCH_LOCK = 7_364_202
# Notified at commit by the triggers of migrations/0015 when there is work for the workers.
WAKE_CHANNEL = "memory_service_webhooks"


async def listen(conn: AsyncConnection) -> None:
    """Subscribe `conn` (autocommit: LISTEN takes effect at once) to the wake-up channel."""
    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(WAKE_CHANNEL)))


async def record(conn: AsyncConnection, event_type: str, namespace: tuple[str, ...],
                 subject: str, payload: dict[str, Any]) -> None:
    """Add an event, in the caller's transaction, if any enabled endpoint wants its type."""
    await conn.execute(
        """
        INSERT INTO webhook_events (type, prefix, subject, payload)
        SELECT %s, %s, %s, %s
        WHERE EXISTS (SELECT 1 FROM webhooks WHERE enabled AND %s = ANY (event_types))
        """, (event_type, ns_text(namespace), subject, Jsonb(payload), event_type))


async def erase_prefix(conn: AsyncConnection, namespace_prefix: tuple[str, ...]) -> int:
    """Events about the prefix or below it, and their deliveries (cascade), pending or not."""
    scope, params = prefix_scope("prefix", namespace_prefix)
    cur = await conn.execute(sql.SQL("DELETE FROM webhook_events WHERE {}").format(scope),
                             params)
    return cur.rowcount


async def lock_dispatch(conn: AsyncConnection) -> bool:
    """Held until the transaction ends; False while another replica dispatches."""
    cur = await conn.execute("SELECT pg_try_advisory_xact_lock(%s) AS ok", (_DISPATCH_LOCK,))
    return (await one(cur))["ok"]


async def undispatched(conn: AsyncConnection, limit: int) -> list[EventRecord]:
    cur = await conn.execute(
        "SELECT * FROM webhook_events WHERE NOT dispatched ORDER BY id LIMIT %s", (limit,))
    return [EventRecord.from_row(r) for r in await cur.fetchall()]


async def add_deliveries(conn: AsyncConnection,
                         rows: list[tuple[uuid.UUID, int, str]]) -> None:
    """(webhook id, event id, subject), inserted in event order."""
    if not rows:
        return
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO webhook_deliveries (webhook_id, event_id, subject) "
            "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING", rows)


async def settle(conn: AsyncConnection, dispatched: list[int], unwanted: list[int]) -> None:
    """Mark events fanned out; drop those no endpoint may receive."""
    await conn.execute("UPDATE webhook_events SET dispatched = true WHERE id = ANY (%s)",
                       (dispatched,))
    await conn.execute("DELETE FROM webhook_events WHERE id = ANY (%s)", (unwanted,))


async def prune(conn: AsyncConnection, older_than_hours: float) -> int:
    """Events older than the log keeps, once none of their deliveries is pending."""
    cur = await conn.execute(
        """
        DELETE FROM webhook_events e
        WHERE e.dispatched AND e.created_at < now() - make_interval(secs => %s)
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                          WHERE d.event_id = e.id AND d.status = 'pending')
        """, (older_than_hours * 3600,))
    return cur.rowcount
