"""SQL for hybrid search: every candidate's cosine and share of the query's terms fused in
one statement (scopes searched exactly), and a streamed block's missing cosines and held
terms (the streamed path fuses in Python: app/search/fusion.py)."""

from psycopg import sql

from app.domain.filters import Condition
from app.domain.items import StoredItem
from app.repositories.conditions import NOT_EXPIRED, prefix_scope
from app.repositories.connection import AsyncConnection
from app.repositories.items import VECTOR_FIELD
from app.repositories.keyword_search import (
    ScopeSize,
    TermStats,
    _idf,
    any_of,
    lexeme_query,
)
from app.repositories.rows import ITEM_COLUMNS
from app.repositories.search import vector_rows
from app.repositories.vectors import vector_param


def _held(count: int) -> sql.Composable:
    """ARRAY[1 or 0: does the item hold term i] in `tf`'s place: coverage and df need no
    term frequency, and `@@` is a fraction of ts_rank's cost on every matching item. Its
    parameters are the terms' lexeme queries."""
    return sql.SQL("ARRAY[{}]").format(sql.SQL(", ").join(
        sql.SQL("(k.tsv @@ %s::tsquery)::int") for _ in range(count)))


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
    keyword_weight: float, semantic_weight: float, month: str | None = None,
    month_boost: float = 0.0,
) -> list[StoredItem]:
    """Hybrid search over every candidate at once, for scopes small enough to search
    exactly: each item's share of the query's idf and cosine fused as app/search/fusion.py
    describes (idf over the scope, as keyword search counts it), one ranking by (score,
    namespace, key). Items whose value's occurred_at starts with `month` (YYYY-MM) get
    `month_boost` more (app/search/time_cue.py)."""
    # Without filters or a month, the candidates are their vectors alone (a lookup of each
    # one's item cost more than the rest of the statement), and only the page's items are
    # read, in rank order, skipping any that expired; without a month no value is read.
    rows, rows_params = vector_rows(namespace_prefix, conditions, with_items=month is not None)
    count = len(terms)
    cue, cue_params = (sql.SQL("coalesce(left(s.value->>'occurred_at', 7) = %s::text, false)"),
                       [month]) if month else (sql.SQL("false"), [])
    keyword_ctes: sql.Composable
    keyword_rows: sql.Composable
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
            """).format(tf=_held(count), scope=scope_k, idf=_idf(count))
        keyword_params = [*(lexeme_query(t) for t in terms), *scope_k_params, any_of(terms),
                          size.documents]
        keyword_rows = sql.SQL(
            "UNION ALL SELECT h.prefix, h.key, NULL, NULL, {} FROM hits h CROSS JOIN idf"
        ).format(_coverage(count))
    else:
        keyword_ctes, keyword_params, keyword_rows = sql.SQL(""), [], sql.SQL("")
    cur = await conn.execute(
        sql.SQL(
            """
            WITH cand AS MATERIALIZED (
                SELECT sv.prefix, sv.key, (1 - (sv.embedding <=> %s::vector))::float8 AS cos,
                       {cue} AS cue
                FROM {rows}
                OFFSET 0
            ),
            {keyword_ctes}
            -- A candidate and its keyword row meet by grouping, not by a join: estimated
            -- at a row or two (fresh rows, no statistics yet), a join ran as a nested loop
            -- reading every match again for each candidate (tests/hybrid/test_exact_plan.py).
            scored AS MATERIALIZED (
                SELECT u.prefix, u.key, max(u.cos) AS cos, bool_or(u.cue) AS cue,
                       coalesce(max(u.kw), 0) AS kw
                FROM (SELECT c.prefix, c.key, c.cos, c.cue, NULL::float8 AS kw FROM cand c
                      {keyword_rows}) AS u
                GROUP BY u.prefix, u.key
                HAVING count(u.cos) > 0  -- a candidate: matches without a vector drop out
            ),
            ranked AS (
                SELECT sc.prefix, sc.key, (%s::float8 * sc.kw + %s::float8 * sc.cos
                       + CASE WHEN sc.cue THEN %s::float8 ELSE 0 END)::float8 AS score
                FROM scored sc
                ORDER BY score DESC, sc.prefix, sc.key
            )
            SELECT {cols}, r.score FROM ranked r
            CROSS JOIN LATERAL (  -- in rank order, until the page is full
                SELECT s.* FROM store s
                WHERE s.prefix = r.prefix AND s.key = r.key AND {not_expired}
                OFFSET 0
            ) AS s
            ORDER BY r.score DESC, r.prefix, r.key
            LIMIT %s OFFSET %s
            """
        ).format(cue=cue, rows=rows, not_expired=NOT_EXPIRED, keyword_ctes=keyword_ctes,
                 keyword_rows=keyword_rows, cols=sql.SQL(ITEM_COLUMNS)),
        # In the order the placeholders appear above.
        [vector_param(conn, vector), *cue_params, VECTOR_FIELD, *rows_params, *keyword_params,
         keyword_weight, semantic_weight, month_boost, limit, offset],
    )
    return [StoredItem.from_row(r) for r in await cur.fetchall()]


async def block_scores(
    conn: AsyncConnection, items: list[tuple[str, str]], need_cosine: set[tuple[str, str]],
    vector: list[float], stats: TermStats | None,
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], tuple[bool, ...]]]:
    """One block of the streamed hybrid, in one round trip: the cosine of the (prefix, key)
    items in `need_cosine` (the keyword leg's, which the vector leg did not score), and
    which of the query's terms each item holds, in term order. An item gone meanwhile has
    no cosine; one without a keyword row (no words) holds none."""
    if not items:
        return {}, {}
    terms = stats.terms if stats else ()
    held = sql.SQL("ARRAY[{}]::bool[]").format(sql.SQL(", ").join(
        sql.SQL("k.tsv @@ %s::tsquery") for _ in terms))
    cur = await conn.execute(
        sql.SQL(
            """
            SELECT u.prefix, u.key, 1 - (sv.embedding <=> %s::vector) AS cos,
                   CASE WHEN k.key IS NOT NULL THEN {held} END AS held
            FROM unnest(%s::text[], %s::text[], %s::bool[]) AS u(prefix, key, need)
            LEFT JOIN store_vectors sv ON u.need AND sv.prefix = u.prefix AND sv.key = u.key
                 AND sv.field_name = %s
            LEFT JOIN store_keywords k ON k.prefix = u.prefix AND k.key = u.key
            """).format(held=held),
        [vector_param(conn, vector), *(lexeme_query(t) for t in terms), [p for p, _ in items],
         [k for _, k in items], [i in need_cosine for i in items], VECTOR_FIELD],
    )
    cosine: dict[tuple[str, str], float] = {}
    holds: dict[tuple[str, str], tuple[bool, ...]] = {}
    for r in await cur.fetchall():
        if r["cos"] is not None:
            cosine[(r["prefix"], r["key"])] = r["cos"]
        if r["held"] is not None and terms:
            holds[(r["prefix"], r["key"])] = tuple(r["held"])
    return cosine, holds
