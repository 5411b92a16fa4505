"""SQL for semantic search and filtered listing over the store's tables.

Why not the store's own query: it searches HNSW with the default ef_search (about 40 rows
table-wide, then filters), so pages come back short and small tenants inside a big table
lose their true neighbours. Here a search over few candidates is exact, and a search over
many reads one HNSW iterative scan, continued in exact order if the scan runs dry.
"""

from psycopg import sql

from app.domain.filters import Condition
from app.domain.items import StoredItem
from app.domain.time_range import ListOrder
from app.repositories.conditions import NOT_EXPIRED, filter_clause, prefix_scope
from app.repositories.connection import AsyncConnection, one
from app.repositories.items import VECTOR_FIELD
from app.repositories.rows import ITEM_COLUMNS
from app.repositories.vectors import vector_param


def _where(namespace_prefix: tuple[str, ...], conditions: list[Condition],
           prefix_column: str, *, exact: bool = False) -> tuple[sql.Composable, list]:
    scope, scope_params = prefix_scope(prefix_column, namespace_prefix, exact=exact)
    filters, filter_params = filter_clause(conditions)
    return (
        sql.SQL("{} AND {} AND {}").format(scope, filters, NOT_EXPIRED),
        scope_params + filter_params,
    )


def vector_rows(namespace_prefix: tuple[str, ...], conditions: list[Condition], *,
                with_items: bool = False) -> tuple[sql.Composable, list]:
    """`FROM ... WHERE ...` of the scope's indexed vectors (its first parameter is the field
    name): joined to their items (`s`) only to apply filters or when asked (to read values),
    since a join over a scope of thousands made the planner scan the whole items table, and
    reading each candidate's item costs a lookup."""
    if conditions or with_items:
        where, params = _where(namespace_prefix, conditions, "sv.prefix")
        return sql.SQL("store_vectors sv JOIN store s ON s.prefix = sv.prefix"
                       " AND s.key = sv.key WHERE sv.field_name = %s AND {}").format(where), params
    scope, params = prefix_scope("sv.prefix", namespace_prefix)
    return sql.SQL("store_vectors sv WHERE sv.field_name = %s AND {}").format(scope), params


async def count_vector_candidates(
    conn: AsyncConnection, namespace_prefix: tuple[str, ...], conditions: list[Condition],
    cap: int,
) -> int:
    """How many indexed items could match, counting no further than `cap`. Without filters
    it counts vectors alone (one range of an index, no join: items expired but not yet swept
    count too, which only tips a borderline scope towards the HNSW path)."""
    rows, params = vector_rows(namespace_prefix, conditions)
    cur = await conn.execute(
        sql.SQL("SELECT count(*) AS n FROM (SELECT 1 FROM {} LIMIT %s) c").format(rows),
        [VECTOR_FIELD, *params, cap],
    )
    return (await one(cur))["n"]


async def exact_vector_search(
    conn: AsyncConnection, vector: list[float], namespace_prefix: tuple[str, ...],
    conditions: list[Condition], limit: int, offset: int,
    exclude: list[tuple[str, str]] | None = None,
) -> list[StoredItem]:
    """Exact nearest neighbours, skipping the (prefix, key) pairs in `exclude`: the
    candidates (vector_rows) are ranked, then their items read in rank order until the page
    is full. The OFFSET 0 fence keeps the planner off the ANN index."""
    rows, params = vector_rows(namespace_prefix, conditions)
    skip = sql.SQL("TRUE")
    if exclude:
        skip = sql.SQL("(sv.prefix, sv.key) NOT IN (SELECT * FROM unnest(%s::text[], %s::text[]))")
        params = [*params, [p for p, _ in exclude], [k for _, k in exclude]]
    cur = await conn.execute(
        sql.SQL(
            """
            SELECT {cols}, 1 - c.distance AS score FROM (
                SELECT r.* FROM (
                    SELECT sv.prefix, sv.key, sv.embedding <=> %s::vector AS distance
                    FROM {rows} AND {skip}
                    OFFSET 0
                ) r
                ORDER BY r.distance, r.prefix, r.key
            ) c
            CROSS JOIN LATERAL (  -- in rank order, until the page is full
                SELECT s.* FROM store s
                WHERE s.prefix = c.prefix AND s.key = c.key AND {not_expired}
                OFFSET 0
            ) s
            ORDER BY c.distance, c.prefix, c.key
            LIMIT %s OFFSET %s
            """
        ).format(cols=sql.SQL(ITEM_COLUMNS), rows=rows, skip=skip, not_expired=NOT_EXPIRED),
        [vector_param(conn, vector), VECTOR_FIELD, *params, limit, offset],
    )
    return [StoredItem.from_row(r) for r in await cur.fetchall()]


async def ann_vector_stream(
    conn: AsyncConnection, vector: list[float], namespace_prefix: tuple[str, ...],
    conditions: list[Condition], count: int, *, ef_search: int, max_scan_tuples: int,
) -> list[StoredItem]:
    """The first `count` rows of one HNSW iterative scan, in the order the scan yields them.

    Every page of a search reads a prefix of this same stream, so pages are disjoint: the
    planner must not swap in a sort for some LIMITs (enable_sort off), and relaxed order is
    used because strict order silently drops rows that arrive out of order. Fewer than
    `count` rows means the scan ran dry.
    """
    where, params = _where(namespace_prefix, conditions, "sv.prefix")
    query = vector_param(conn, vector)
    async with conn.transaction():
        await conn.execute(
            "SELECT set_config('hnsw.ef_search', %s, true),"
            " set_config('hnsw.iterative_scan', 'relaxed_order', true),"
            " set_config('hnsw.max_scan_tuples', %s, true),"
            " set_config('enable_sort', 'off', true)",
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
            [query, VECTOR_FIELD, *params, query, count],
        )
        return [StoredItem.from_row(r) for r in await cur.fetchall()]


async def list_filtered(
    conn: AsyncConnection, namespace_prefix: tuple[str, ...], conditions: list[Condition],
    limit: int, offset: int, *, exact_namespace: bool = False,
    order: ListOrder = ListOrder(),
) -> list[StoredItem]:
    """Items without a query, in `order` (default: last updated first), ties broken by
    namespace and key for stable pages.

    `exact_namespace` lists one namespace without its children.
    """
    where, params = _where(namespace_prefix, conditions, "s.prefix", exact=exact_namespace)
    direction = sql.SQL("ASC" if order.order == "asc" else "DESC")
    cur = await conn.execute(
        sql.SQL(
            """
            SELECT {cols}, NULL::float8 AS score FROM store s WHERE {where}
            ORDER BY s.{column} {direction}, s.prefix, s.key
            LIMIT %s OFFSET %s
            """
        ).format(cols=sql.SQL(ITEM_COLUMNS), where=where,
                 column=sql.Identifier(order.column), direction=direction),
        [*params, limit, offset],
    )
    return [StoredItem.from_row(r) for r in await cur.fetchall()]
