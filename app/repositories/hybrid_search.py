"""SQL for hybrid search: every candidate's cosine and share of the query's terms fused in
one statement (scopes searched exactly), and which terms given items hold (the streamed
path fuses in Python: app/search/fusion.py)."""

from psycopg import AsyncConnection, sql

from app.repositories.conditions import NOT_EXPIRED, filter_clause, prefix_scope
from app.repositories.items import VECTOR_FIELD, vector_literal
from app.repositories.keyword_search import (
    ScopeSize,
    TermStats,
    _idf,
    _tf,
    _tf_params,
    any_of,
    lexeme_query,
)
from app.repositories.rows import ITEM_COLUMNS, StoredItem
from app.store.filters import Condition


def _coverage(count: int) -> sql.Composable:
    """The share of the query's idf an item holds, from `h.tf`, `idf.idf` and `idf.total`
    (0 if none)."""
    held = sql.SQL(" + ").join(
        sql.SQL("CASE WHEN h.tf[{i}] > 0 THEN idf.idf[{i}] ELSE 0 END").format(
            i=sql.Literal(i + 1)) for i in range(count))
    return sql.SQL("coalesce((0::float8 + {}) / nullif(idf.total, 0), 0)").format(held)


async def hybrid_exact(
    conn: AsyncConnection, vector: list[float], terms: list[str], size: ScopeSize,
    namespace_prefix: tuple[str, ...], conditions: list[Condition], limit: int, offset: int,
    keyword_weight: float, semantic_weight: float,
) -> list[StoredItem]:
    """Hybrid search over every candidate at once, for scopes small enough to search
    exactly: each item's share of the query's idf and cosine fused as app/search/fusion.py
    describes (idf over the scope, as keyword search counts it), one ranking by (score,
    namespace, key)."""
    scope_sv, scope_sv_params = prefix_scope("sv.prefix", namespace_prefix)
    filters, filter_params = filter_clause(conditions)
    count = len(terms)
    if count:
        scope_k, scope_k_params = prefix_scope("k.prefix", namespace_prefix)
        keyword_ctes = sql.SQL(
            """
            hits AS MATERIALIZED (
                SELECT k.prefix, k.key, {tf} AS tf FROM store_keywords k
                WHERE {scope} AND k.tsv @@ %s::tsquery
            ),
            idf AS MATERIALIZED (  -- the terms' idf and their sum, once
                SELECT i.idf, (SELECT sum(u.x) FROM unnest(i.idf) AS u(x)) AS total
                FROM ({idf}) AS i
            ),
            """).format(tf=_tf(sql.SQL("k.tsv"), count), scope=scope_k, idf=_idf(count))
        keyword_params = [*_tf_params(terms), *scope_k_params, any_of(terms), size.documents]
        coverage = _coverage(count)
        keyword_join = sql.SQL(
            "LEFT JOIN hits h ON h.prefix = c.prefix AND h.key = c.key CROSS JOIN idf")
    else:
        keyword_ctes, keyword_params = sql.SQL(""), []
        coverage, keyword_join = sql.SQL("0::float8"), sql.SQL("")
    cur = await conn.execute(
        sql.SQL(
            """
            WITH cand AS MATERIALIZED (
                SELECT sv.prefix, sv.key, (1 - (sv.embedding <=> %s::vector))::float8 AS cos
                FROM store_vectors sv JOIN store s ON s.prefix = sv.prefix AND s.key = sv.key
                WHERE sv.field_name = %s AND {scope} AND {filters} AND {not_expired}
                OFFSET 0
            ),
            {keyword_ctes}
            scored AS MATERIALIZED (
                SELECT c.prefix, c.key, c.cos, {coverage} AS kw FROM cand c {keyword_join}
            ),
            ranked AS (
                SELECT sc.prefix, sc.key, (%s::float8 * sc.kw + %s::float8 * sc.cos)::float8
                       AS score
                FROM scored sc
                ORDER BY score DESC, sc.prefix, sc.key
                LIMIT %s OFFSET %s
            )
            SELECT {cols}, r.score FROM ranked r
            JOIN store s ON s.prefix = r.prefix AND s.key = r.key
            ORDER BY r.score DESC, r.prefix, r.key
            """
        ).format(scope=scope_sv, filters=filters, not_expired=NOT_EXPIRED,
                 keyword_ctes=keyword_ctes, coverage=coverage, keyword_join=keyword_join,
                 cols=sql.SQL(ITEM_COLUMNS)),
        # In the order the placeholders appear above.
        [vector_literal(vector), VECTOR_FIELD, *scope_sv_params, *filter_params,
         *keyword_params, keyword_weight, semantic_weight, limit, offset],
    )
    return [StoredItem.from_row(r) for r in await cur.fetchall()]


async def held_terms(conn: AsyncConnection, items: list[tuple[str, str]], stats: TermStats
                     ) -> dict[tuple[str, str], tuple[bool, ...]]:
    """Which of the query's terms each (prefix, key) item holds, in term order; an item
    without a keyword row (no words) or gone meanwhile is left out (it holds none)."""
    if not items or not stats.terms:
        return {}
    held = sql.SQL(", ").join(sql.SQL("k.tsv @@ %s::tsquery") for _ in stats.terms)
    cur = await conn.execute(
        sql.SQL("SELECT k.prefix, k.key, ARRAY[{}] AS held FROM store_keywords k"
                " JOIN unnest(%s::text[], %s::text[]) AS u(prefix, key)"
                " ON k.prefix = u.prefix AND k.key = u.key").format(held),
        [*(lexeme_query(t) for t in stats.terms), [p for p, _ in items], [k for _, k in items]],
    )
    return {(r["prefix"], r["key"]): tuple(r["held"]) for r in await cur.fetchall()}
