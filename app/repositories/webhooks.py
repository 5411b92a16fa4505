"""SQL for webhook endpoints: register, read, change, delete, and the enabled ones with the
grants of their keys (what the dispatcher matches events against)."""

import uuid
from typing import Any

from psycopg import sql

from app.repositories.connection import AsyncConnection, one
from app.repositories.webhooks_rows import Subscriber, WebhookRecord

COLUMNS = ("url", "secret", "event_types", "namespace_prefix", "key_id", "description",
           "enabled")


def _dotted(fields: dict[str, Any]) -> dict[str, Any]:
    if "namespace_prefix" in fields and fields["namespace_prefix"] is not None:
        return {**fields, "namespace_prefix": ".".join(fields["namespace_prefix"])}
    return fields


async def insert(conn: AsyncConnection, webhook_id: uuid.UUID,
                 fields: dict[str, Any]) -> WebhookRecord:
    fields = _dotted(fields)
    cur = await conn.execute(
        sql.SQL("INSERT INTO webhooks (id, {}) VALUES (%s, {}) RETURNING *").format(
            sql.SQL(", ").join(map(sql.Identifier, COLUMNS)),
            sql.SQL(", ").join(sql.Placeholder() * len(COLUMNS))),
        [webhook_id, *(fields[c] for c in COLUMNS)])
    return WebhookRecord.from_row(await one(cur))


async def get(conn: AsyncConnection, webhook_id: uuid.UUID) -> WebhookRecord | None:
    cur = await conn.execute("SELECT * FROM webhooks WHERE id = %s", (webhook_id,))
    row = await cur.fetchone()
    return WebhookRecord.from_row(row) if row else None


async def list_all(conn: AsyncConnection) -> list[WebhookRecord]:
    cur = await conn.execute("SELECT * FROM webhooks ORDER BY created_at, id")
    return [WebhookRecord.from_row(r) for r in await cur.fetchall()]


async def update(conn: AsyncConnection, webhook_id: uuid.UUID,
                 fields: dict[str, Any]) -> WebhookRecord | None:
    fields = _dotted({c: v for c, v in fields.items() if c in COLUMNS})
    sets: list[sql.Composable] = [sql.SQL("{} = %s").format(sql.Identifier(c))
                                  for c in fields]
    sets.append(sql.SQL("updated_at = now()"))
    cur = await conn.execute(
        sql.SQL("UPDATE webhooks SET {} WHERE id = %s RETURNING *").format(
            sql.SQL(", ").join(sets)),
        [*fields.values(), webhook_id])
    row = await cur.fetchone()
    return WebhookRecord.from_row(row) if row else None


async def delete(conn: AsyncConnection, webhook_id: uuid.UUID) -> bool:
    """Its deliveries go with it (ON DELETE CASCADE)."""
    cur = await conn.execute("DELETE FROM webhooks WHERE id = %s", (webhook_id,))
    return cur.rowcount > 0


async def key_is_active(conn: AsyncConnection, key_id: uuid.UUID) -> bool:
    cur = await conn.execute(
        "SELECT EXISTS (SELECT 1 FROM api_keys WHERE id = %s AND revoked_at IS NULL) AS found",
        (key_id,))
    return (await one(cur))["found"]


async def subscribers(conn: AsyncConnection) -> list[Subscriber]:
    cur = await conn.execute(
        """
        SELECT w.*, k.grants AS key_grants, coalesce(k.admin, false) AS key_admin,
               (w.key_id IS NULL OR (k.id IS NOT NULL AND k.revoked_at IS NULL)) AS key_active
        FROM webhooks w LEFT JOIN api_keys k ON k.id = w.key_id
        WHERE w.enabled ORDER BY w.created_at, w.id
        """)
    return [Subscriber(WebhookRecord.from_row(r), r["key_grants"], r["key_admin"],
                       r["key_active"]) for r in await cur.fetchall()]
