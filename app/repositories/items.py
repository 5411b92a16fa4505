"""SQL that reads and writes items and their vectors in the LangGraph store's tables."""

from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from app.domain.items import StoredItem
from app.repositories.conditions import NOT_EXPIRED, ns_text, prefix_scope
from app.repositories.connection import AsyncConnection
from app.repositories.rows import ITEM_COLUMNS

# Our writes keep exactly one vector per item, under this field name.
VECTOR_FIELD = "text"


async def delete_items(conn: AsyncConnection, keys: list[tuple[tuple[str, ...], str]]) -> int:
    """Delete items; their vectors go with them (foreign key ON DELETE CASCADE)."""
    if not keys:
        return 0
    cur = await conn.execute(
        """
        DELETE FROM store s USING unnest(%s::text[], %s::text[]) AS k(prefix, key)
        WHERE s.prefix = k.prefix AND s.key = k.key
        """,
        ([ns_text(n) for n, _ in keys], [k for _, k in keys]),
    )
    return cur.rowcount


async def existing_values(conn: AsyncConnection, namespace_prefix: tuple[str, ...],
                          values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not values:
        return []
    scope, params = prefix_scope("s.prefix", namespace_prefix)
    cur = await conn.execute(
        sql.SQL("SELECT DISTINCT s.value FROM store s WHERE {} AND s.value = ANY(%s::jsonb[])")
        .format(scope),
        [*params, [Jsonb(v) for v in values]],
    )
    return [r["value"] for r in await cur.fetchall()]


async def delete_expired(conn: AsyncConnection) -> int:
    cur = await conn.execute(
        "DELETE FROM store WHERE expires_at IS NOT NULL AND expires_at < now()")
    return cur.rowcount


async def get_items(
    conn: AsyncConnection, namespace: tuple[str, ...], keys: list[str], *, refresh_ttl: bool
) -> dict[str, StoredItem]:
    """One statement, so no transaction around it: with `refresh_ttl`, an item with a TTL
    comes from the UPDATE that extends it (with its new expiry), the others as they are."""
    params = (ns_text(namespace), keys)
    query, args = (_GET_REFRESHING, params * 2) if refresh_ttl else (_GET, params)
    cur = await conn.execute(query, args)
    return {r["key"]: StoredItem.from_row(r) for r in await cur.fetchall()}


_GET = sql.SQL("SELECT {} FROM store s WHERE s.prefix = %s AND s.key = ANY(%s) AND {}").format(
    sql.SQL(ITEM_COLUMNS), NOT_EXPIRED)
# The second SELECT reads the statement's snapshot: an item a concurrent write changed so
# that the UPDATE no longer matched it (its TTL removed) still comes back, as it was.
_GET_REFRESHING = sql.SQL("""
    WITH refreshed AS (
        UPDATE store s SET expires_at = now() + s.ttl_minutes * interval '1 minute'
        WHERE s.prefix = %s AND s.key = ANY(%s) AND s.ttl_minutes IS NOT NULL AND {alive}
        RETURNING s.*
    )
    SELECT {cols} FROM refreshed s
    UNION ALL
    SELECT {cols} FROM store s
    WHERE s.prefix = %s AND s.key = ANY(%s) AND {alive}
      AND NOT EXISTS (SELECT 1 FROM refreshed r WHERE r.key = s.key)
""").format(cols=sql.SQL(ITEM_COLUMNS), alive=NOT_EXPIRED)


async def refresh_ttl(conn: AsyncConnection, items: list[StoredItem]) -> None:
    ttl_items = [i for i in items if i.ttl_minutes is not None]
    if not ttl_items:
        return
    await conn.execute(
        """
        UPDATE store s SET expires_at = now() + s.ttl_minutes * interval '1 minute'
        FROM unnest(%s::text[], %s::text[]) AS k(prefix, key)
        WHERE s.prefix = k.prefix AND s.key = k.key AND s.ttl_minutes IS NOT NULL
        """,
        ([ns_text(i.namespace) for i in ttl_items], [i.key for i in ttl_items]),
    )
