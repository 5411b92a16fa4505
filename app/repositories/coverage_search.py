"""SQL for hybrid's keyword leg over many candidates: the items holding the largest share of
the query's idf (what app/search/fusion.py scores), not the best BM25. It nominates the
items fusion ranks highest on words, and needs no term frequencies: `@@` per term instead
of ts_rank, about 40% less time on a 100,000-item table (bench/retrieval_eval/RESULTS.md)."""

from psycopg import sql

from app.domain.filters import Condition
from app.repositories.conditions import prefix_scope
from app.repositories.connection import AsyncConnection
from app.repositories.hybrid_search import _coverage, _held
from app.repositories.keyword_search import (
    KeywordPage,
    ScopeSize,
    _idf,
    any_of,
    lexeme_query,
    ranked_page,
)


async def coverage_search(
    conn: AsyncConnection, terms: list[str], namespace_prefix: tuple[str, ...],
    conditions: list[Condition], limit: int, size: ScopeSize,
) -> KeywordPage:
    """Items holding any of `terms`, the largest share of the query's idf first, ties broken
    by namespace and key (a deeper call extends a shallower one); only items that pass the
    filters and have not expired; score = that share. idf as keyword search counts it."""
    if not terms:
        return KeywordPage([], None)
    scope, scope_params = prefix_scope("k.prefix", namespace_prefix)
    count = len(terms)
    ctes = sql.SQL(
        """
        hits AS MATERIALIZED (
            SELECT k.prefix, k.key, {held} AS tf FROM store_keywords k
            WHERE {scope} AND k.tsv @@ %s::tsquery
        ),
        idf AS MATERIALIZED (
            SELECT i.idf, (SELECT sum(u.x) FROM unnest(i.idf) AS u(x)) AS total
            FROM ({idf}) AS i
        )
        """).format(held=_held(count), scope=scope, idf=_idf(count))
    # In the order the placeholders appear above.
    params = [*(lexeme_query(t) for t in terms), *scope_params, any_of(terms), size.documents]
    return await ranked_page(conn, ctes, params, _coverage(count), terms, conditions, limit,
                             0, size)
