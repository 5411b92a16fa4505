"""SQL for owning the data: erase a prefix, count it, page through it, record the model."""

from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from app.domain.items import StoredItem
from app.repositories import idempotency
from app.repositories.conditions import NOT_EXPIRED, ns_text, prefix_scope
from app.repositories.connection import AsyncConnection, one
from app.repositories.rows import ITEM_COLUMNS


def _scope(column: str, namespace_prefix: tuple[str, ...]) -> tuple[sql.Composable, list]:
    return prefix_scope(column, namespace_prefix)


async def count_prefix(conn: AsyncConnection, namespace_prefix: tuple[str, ...]) -> dict[str, int]:
    """What erasing the prefix would remove, table by table."""
    counts = {}
    for name, table, column in (("items", "store", "prefix"),
                                ("vectors", "store_vectors", "prefix"),
                                ("history", "memory_history", "prefix"),
                                ("jobs", "extraction_jobs", "namespace")):
        scope, params = _scope(column, namespace_prefix)
        cur = await conn.execute(
            sql.SQL("SELECT count(*) AS n FROM {} WHERE {}").format(sql.Identifier(table), scope),
            params)
        counts[name] = (await one(cur))["n"]
    counts["replays"] = await idempotency.count_naming(conn, namespace_prefix)
    return counts


async def active_queue_jobs(conn: AsyncConnection,
                            namespace_prefix: tuple[str, ...]) -> list[tuple[int, bool]]:
    """(procrastinate job id, running?) of the prefix's unfinished extraction jobs."""
    scope, params = _scope("namespace", namespace_prefix)
    cur = await conn.execute(
        sql.SQL("SELECT queue_job_id, status FROM extraction_jobs WHERE {} "
                "AND status IN ('queued', 'running') AND queue_job_id IS NOT NULL").format(scope),
        params)
    return [(r["queue_job_id"], r["status"] == "running") for r in await cur.fetchall()]


async def erase_prefix(conn: AsyncConnection, namespace_prefix: tuple[str, ...]) -> None:
    """Delete items (vectors and keyword index cascade), then history (including the rows
    the history trigger just wrote for these deletions), extraction jobs, and the
    Idempotency-Key records whose replay would show them."""
    for table, column in (("store", "prefix"), ("memory_history", "prefix"),
                          ("extraction_jobs", "namespace")):
        scope, params = _scope(column, namespace_prefix)
        await conn.execute(
            sql.SQL("DELETE FROM {} WHERE {}").format(sql.Identifier(table), scope), params)
    await idempotency.delete_naming(conn, namespace_prefix)


async def stats(conn: AsyncConnection, namespace_prefix: tuple[str, ...]) -> dict[str, Any]:
    scope, params = _scope("s.prefix", namespace_prefix)
    cur = await conn.execute(
        sql.SQL(
            """
            SELECT count(*) AS memories, count(DISTINCT s.prefix) AS namespaces,
                   coalesce(sum(pg_column_size(s.value)), 0) AS bytes,
                   max(s.updated_at) AS last_write,
                   (SELECT count(*) FROM store_vectors sv WHERE {vscope}) AS vectors
            FROM store s WHERE {scope}
            """
        ).format(scope=scope, vscope=_scope("sv.prefix", namespace_prefix)[0]),
        params + params)
    return await one(cur)  # an aggregate: always one row


async def namespace_counts(conn: AsyncConnection, namespace_prefix: tuple[str, ...],
                           limit: int, offset: int) -> list[tuple[tuple[str, ...], int]]:
    """(namespace, live memories) of each namespace under the prefix, in name order: what
    a namespace listing shows (expired items excluded), in one grouped scan."""
    scope, params = _scope("s.prefix", namespace_prefix)
    cur = await conn.execute(
        sql.SQL("SELECT s.prefix, count(*) AS n FROM store s WHERE {} AND {} "
                "GROUP BY s.prefix ORDER BY s.prefix LIMIT %s OFFSET %s"
                ).format(scope, NOT_EXPIRED),
        [*params, limit, offset])
    return [(tuple(r["prefix"].split(".")), r["n"]) for r in await cur.fetchall()]


async def page_after(conn: AsyncConnection, namespace_prefix: tuple[str, ...],
                     after: tuple[str, str] | None,
                     limit: int) -> list[tuple[StoredItem, bool]]:
    """Items with whether they are searchable, in (prefix, key) order. Keyset pagination
    keeps an export of any size in constant memory without a long transaction.

    The vector lookup is a LATERAL ... LIMIT 1, one index probe per item of the page: as an
    EXISTS in the select list the planner hashed the whole of store_vectors for every page
    (100k vector keys read per page of 1,000 at 100k memories: 36 ms instead of 4 ms, and
    an export quadratic in the table's size)."""
    scope, params = _scope("s.prefix", namespace_prefix)
    after_clause = sql.SQL("(s.prefix, s.key) > (%s, %s)") if after else sql.SQL("TRUE")
    cur = await conn.execute(
        sql.SQL(
            """
            SELECT {}, v.indexed IS NOT NULL AS indexed
            FROM store s
            LEFT JOIN LATERAL (SELECT true AS indexed FROM store_vectors sv
                               WHERE sv.prefix = s.prefix AND sv.key = s.key LIMIT 1) v ON true
            WHERE {} AND {} ORDER BY s.prefix, s.key LIMIT %s
            """
        ).format(sql.SQL(ITEM_COLUMNS), scope, after_clause),
        [*params, *(after or ()), limit])
    return [(StoredItem.from_row(r), r["indexed"]) for r in await cur.fetchall()]


async def current_values(conn: AsyncConnection, keys: list[tuple[tuple[str, ...], str]]
                         ) -> dict[tuple[tuple[str, ...], str], tuple[Any, float | None, bool]]:
    """(value, ttl_minutes, indexed) of the items that exist among these keys."""
    if not keys:
        return {}
    cur = await conn.execute(
        """
        SELECT s.prefix, s.key, s.value, s.ttl_minutes,
               EXISTS (SELECT 1 FROM store_vectors sv
                       WHERE sv.prefix = s.prefix AND sv.key = s.key) AS indexed
        FROM store s JOIN unnest(%s::text[], %s::text[]) AS k(prefix, key)
          ON s.prefix = k.prefix AND s.key = k.key
        """,
        ([ns_text(n) for n, _ in keys], [k for _, k in keys]))
    return {(tuple(r["prefix"].split(".")), r["key"]): (r["value"], r["ttl_minutes"],
                                                        r["indexed"])
            for r in await cur.fetchall()}


async def set_timestamps(conn: AsyncConnection,
                         rows: list[tuple[tuple[str, ...], str, datetime, datetime]]) -> None:
    """Keep the created/updated times an import carries."""
    if not rows:
        return
    await conn.execute(
        """
        UPDATE store s SET created_at = u.created_at, updated_at = u.updated_at
        FROM unnest(%s::text[], %s::text[], %s::timestamptz[], %s::timestamptz[])
             AS u(prefix, key, created_at, updated_at)
        WHERE s.prefix = u.prefix AND s.key = u.key
        """,
        ([ns_text(r[0]) for r in rows], [r[1] for r in rows], [r[2] for r in rows],
         [r[3] for r in rows]))


async def get_meta(conn: AsyncConnection, key: str) -> Any:
    cur = await conn.execute("SELECT value FROM service_meta WHERE key = %s", (key,))
    row = await cur.fetchone()
    return row["value"] if row else None


async def set_meta(conn: AsyncConnection, key: str, value: Any) -> None:
    await conn.execute(
        """
        INSERT INTO service_meta (key, value) VALUES (%s, %s)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
        """,
        (key, Jsonb(value)))


async def delete_meta(conn: AsyncConnection, key: str) -> None:
    await conn.execute("DELETE FROM service_meta WHERE key = %s", (key,))


async def analyze_items(conn: AsyncConnection) -> None:
    """Fresh planner statistics for the item tables; a table another session is vacuuming
    or analyzing right now is skipped, not waited for."""
    await conn.execute("ANALYZE (SKIP_LOCKED) store, store_vectors, store_keywords")
