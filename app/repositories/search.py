"""SQL for semantic search and filtered listing over the store's tables.

Why not the store's own query: it searches HNSW with the default ef_search (about 40 rows
table-wide, then filters), so pages come back short and small tenants inside a big table
lose their true neighbours. Here a search over few candidates is exact, and a search over
many uses an HNSW iterative scan that keeps going until the page is full.
"""

from psycopg import AsyncConnection, sql

from app.repositories.conditions import NOT_EXPIRED, filter_clause, prefix_scope
from app.repositories.items import VECTOR_FIELD, vector_literal
from app.repositories.rows import ITEM_COLUMNS, StoredItem
from app.store.filters import Condition


def _where(namespace_prefix: tuple[str, ...], conditions: list[Condition],
           prefix_column: str, *, exact: bool = False) -> tuple[sql.Composable, list]:
    scope, scope_params = prefix_scope(prefix_column, namespace_prefix, exact=exact)
    filters, filter_params = filter_clause(conditions)
    return (
        sql.SQL("{} AND {} AND {}").format(scope, filters, NOT_EXPIRED),
        scope_params + filter_params,
    )


async def count_vector_candidates(
    conn: AsyncConnection, namespace_prefix: tuple[str, ...], conditions: list[Condition],
    cap: int,
) -> int:
    """How many indexed items could match, counting no further than `cap`."""
    where, params = _where(namespace_prefix, conditions, "sv.prefix")
    cur = await conn.execute(
        sql.SQL(
            """
            SELECT count(*) AS n FROM (
                SELECT 1 FROM store_vectors sv
                JOIN store s ON s.prefix = sv.prefix AND s.key = sv.key
                WHERE sv.field_name = %s AND {} LIMIT %s
            ) c
            """
        ).format(where),
        [VECTOR_FIELD, *params, cap],
    )
    row = await cur.fetchone()
    return row["n"]


async def exact_vector_search(
    conn: AsyncConnection, vector: list[float], namespace_prefix: tuple[str, ...],
    conditions: list[Condition], limit: int, offset: int,
) -> list[StoredItem]:
    """Exact nearest neighbours; the OFFSET 0 fence keeps the planner off the ANN index."""
    where, params = _where(namespace_prefix, conditions, "sv.prefix")
    cur = await conn.execute(
        sql.SQL(
            """
            SELECT {cols}, 1 - c.distance AS score FROM (
                SELECT sv.prefix, sv.key, sv.embedding <=> %s::vector AS distance
                FROM store_vectors sv
                JOIN store s ON s.prefix = sv.prefix AND s.key = sv.key
                WHERE sv.field_name = %s AND {where}
                OFFSET 0
            ) c
            JOIN store s ON s.prefix = c.prefix AND s.key = c.key
            ORDER BY c.distance, c.prefix, c.key
            LIMIT %s OFFSET %s
            """
        ).format(cols=sql.SQL(ITEM_COLUMNS), where=where),
        [vector_literal(vector), VECTOR_FIELD, *params, limit, offset],
    )
    return [StoredItem.from_row(r) for r in await cur.fetchall()]


async def ann_vector_search(
    conn: AsyncConnection, vector: list[float], namespace_prefix: tuple[str, ...],
    conditions: list[Condition], limit: int, offset: int, *, ef_search: int,
    max_scan_tuples: int,
) -> list[StoredItem]:
    """HNSW search whose iterative scan continues past filtered-out rows until the page fills.

    ef_search stays fixed whatever the offset, so successive pages read one ordered stream
    and are disjoint.
    """
    where, params = _where(namespace_prefix, conditions, "sv.prefix")
    async with conn.transaction():
        await conn.execute(
            "SELECT set_config('hnsw.ef_search', %s, true),"
            " set_config('hnsw.iterative_scan', 'strict_order', true),"
            " set_config('hnsw.max_scan_tuples', %s, true)",
            (str(ef_search), str(max_scan_tuples)),
        )
        cur = await conn.execute(
            sql.SQL(
                """
                SELECT {cols}, 1 - (sv.embedding <=> %s::vector) AS score
                FROM store_vectors sv
                JOIN store s ON s.prefix = sv.prefix AND s.key = sv.key
                WHERE sv.field_name = %s AND {where}
                ORDER BY sv.embedding <=> %s::vector
                LIMIT %s
                """
            ).format(cols=sql.SQL(ITEM_COLUMNS), where=where),
            [vector_literal(vector), VECTOR_FIELD, *params, vector_literal(vector),
             offset + limit],
        )
        rows = await cur.fetchall()
    items = [StoredItem.from_row(r) for r in rows]
    items.sort(key=lambda i: (-(i.score or 0.0), ".".join(i.namespace), i.key))
    return items[offset:]


async def list_filtered(
    conn: AsyncConnection, namespace_prefix: tuple[str, ...], conditions: list[Condition],
    limit: int, offset: int, *, exact_namespace: bool = False,
) -> list[StoredItem]:
    """Items without a query: newest first, ties broken by namespace and key for stable pages.

    `exact_namespace` lists one namespace without its children.
    """
    where, params = _where(namespace_prefix, conditions, "s.prefix", exact=exact_namespace)
    cur = await conn.execute(
        sql.SQL(
            """
            SELECT {cols}, NULL::float8 AS score FROM store s WHERE {where}
            ORDER BY s.updated_at DESC, s.prefix, s.key
            LIMIT %s OFFSET %s
            """
        ).format(cols=sql.SQL(ITEM_COLUMNS), where=where),
        [*params, limit, offset],
    )
    return [StoredItem.from_row(r) for r in await cur.fetchall()]
