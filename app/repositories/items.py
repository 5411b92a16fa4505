"""SQL that reads and writes items and their vectors in the LangGraph store's tables."""

from dataclasses import dataclass
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from app.domain.items import StoredItem, WriteMode
from app.errors import Conflict, NotFound
from app.repositories.conditions import NOT_EXPIRED, ns_text, prefix_scope
from app.repositories.connection import AsyncConnection
from app.repositories.rows import ITEM_COLUMNS
from app.repositories.vectors import VectorArray, ready

# Our writes keep exactly one vector per item, under this field name.
VECTOR_FIELD = "text"


@dataclass
class ItemWrite:
    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any]
    ttl_minutes: float | None
    text: str | None  # the text to index; None leaves the item out of search
    embedding: list[float] | None = None  # set when the text changed and was embedded


async def indexed_texts(
    conn: AsyncConnection, keys: list[tuple[tuple[str, ...], str]]
) -> dict[tuple[str, str], str | None]:
    """The text each existing item's vector was computed from."""
    if not keys:
        return {}
    cur = await conn.execute(
        """
        SELECT sv.prefix, sv.key, sv.text FROM store_vectors sv
        JOIN unnest(%s::text[], %s::text[]) AS k(prefix, key)
          ON sv.prefix = k.prefix AND sv.key = k.key
        WHERE sv.field_name = %s
        """,
        ([ns_text(n) for n, _ in keys], [k for _, k in keys], VECTOR_FIELD),
    )
    return {(r["prefix"], r["key"]): r["text"] for r in await cur.fetchall()}


_UPSERT = """
    INSERT INTO store (prefix, key, value, created_at, updated_at, expires_at, ttl_minutes)
    SELECT u.prefix, u.key, u.value, now(), now(), now() + u.ttl * interval '1 minute', u.ttl
    FROM unnest(%s::text[], %s::text[], %s::jsonb[], %s::float8[]) AS u(prefix, key, value, ttl)
    ON CONFLICT (prefix, key) DO {conflict}
    RETURNING key
"""
_STATEMENTS = {
    "upsert": _UPSERT.format(conflict="""UPDATE
        SET value = EXCLUDED.value, updated_at = now(),
            expires_at = EXCLUDED.expires_at, ttl_minutes = EXCLUDED.ttl_minutes"""),
    "insert": _UPSERT.format(conflict="NOTHING"),
    "update": """
        UPDATE store s SET value = u.value, updated_at = now(),
            expires_at = now() + u.ttl * interval '1 minute', ttl_minutes = u.ttl
        FROM unnest(%s::text[], %s::text[], %s::jsonb[], %s::float8[]) AS u(prefix, key, value, ttl)
        WHERE s.prefix = u.prefix AND s.key = u.key
        RETURNING s.key
    """,
}


async def write_items(conn: AsyncConnection, writes: list[ItemWrite],
                      mode: WriteMode = "upsert") -> None:
    """Write items, then bring their vectors in step; the caller holds the transaction.

    `insert` refuses keys that exist (409) and `update` keys that do not (404); either
    raises before anything is committed.
    """
    if not writes:
        return
    prefixes = [ns_text(w.namespace) for w in writes]
    keys = [w.key for w in writes]
    cur = await conn.execute(
        _STATEMENTS[mode],
        (prefixes, keys, [Jsonb(w.value) for w in writes], [w.ttl_minutes for w in writes]),
    )
    written = {r["key"] for r in await cur.fetchall()}
    if len(written) < len(writes):
        missing = [k for k in keys if k not in written]
        if mode == "insert":
            raise Conflict(f"a memory with key {missing[0]!r} already exists in this "
                           "namespace; replace it with PUT or choose another key")
        raise NotFound(f"no memory with key {missing[0]!r} in this namespace")
    # Drop vectors that no longer describe the item: indexing turned off, or rows another
    # writer (the plain store) left under other field names.
    await conn.execute(
        """
        DELETE FROM store_vectors sv
        USING unnest(%s::text[], %s::text[], %s::bool[]) AS u(prefix, key, indexed)
        WHERE sv.prefix = u.prefix AND sv.key = u.key
          AND (NOT u.indexed OR sv.field_name <> %s)
        """,
        (prefixes, keys, [w.text is not None for w in writes], VECTOR_FIELD),
    )
    embedded = [(w, w.embedding) for w in writes if w.embedding is not None]
    if embedded:
        await ready(conn)
        await conn.execute(
            """
            INSERT INTO store_vectors (prefix, key, field_name, embedding, text)
            SELECT u.prefix, u.key, %s, u.embedding, u.text
            FROM unnest(%s::text[], %s::text[], %s::vector[], %s::text[])
                 AS u(prefix, key, embedding, text)
            ON CONFLICT (prefix, key, field_name) DO UPDATE
            SET embedding = EXCLUDED.embedding, text = EXCLUDED.text, updated_at = now()
            """,
            (
                VECTOR_FIELD,
                [ns_text(w.namespace) for w, _ in embedded],
                [w.key for w, _ in embedded],
                VectorArray([vector for _, vector in embedded]),
                [w.text for w, _ in embedded],
            ),
        )


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
