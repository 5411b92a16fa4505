"""SQL for keyword search: BM25 over the full-text index of each item's indexed text.

The index is `store_keywords` (migration 0005): one row per indexed item with the words of
the same `text` its vector was computed from, kept in step by triggers on store_vectors, so
it follows every write. A question matches an item when
they share ANY word (after stemming and stop-word removal with the index's own text-search
configuration); the item's score is BM25:

    sum over the query's terms t in the item:
        idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))
    idf(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

with N, avglen and df(t) counted over the indexed items of the namespaces searched (the
prefix), never the whole table: one tenant's words do not change another's ranking. Filters
narrow the results, not the statistics, as in Lucene, so adding a filter never reorders
what remains. `len` is the number of words indexed (stop words excluded).

tf without unnesting every matching tsvector: `ts_rank` with unit weights of a one-word
query is sum(1/i^2 for i in 1..tf) / zeta(2) (its documented "frequency" ranking, in C),
which `width_bucket` maps back to tf. tf is counted up to MAX_TF, far past the point where
BM25 stops caring.
"""

import math
from dataclasses import dataclass

from psycopg import errors, sql

from app.domain.filters import Condition
from app.domain.items import StoredItem
from app.repositories.conditions import NOT_EXPIRED, filter_clause, prefix_scope
from app.repositories.connection import AsyncConnection, one
from app.repositories.items import VECTOR_FIELD
from app.repositories.rows import ITEM_COLUMNS
from app.repositories.vectors import vector_param

MAX_TF = 32
_ZETA2 = math.pi ** 2 / 6
_H = [sum(1 / i ** 2 for i in range(1, n + 1)) / _ZETA2 for n in range(1, MAX_TF + 1)]
# width_bucket(rank, TF_BOUNDS) = tf: bucket n starts halfway between the ranks of n-1 and n.
TF_BOUNDS = [_H[0] / 2] + [(_H[n - 1] + _H[n]) / 2 for n in range(1, MAX_TF)]
_UNIT_WEIGHTS = "{1,1,1,1}"


@dataclass(frozen=True)
class Bm25:
    k1: float = 1.2
    b: float = 0.75


@dataclass(frozen=True)
class ScopeSize:
    """How many items of a scope are indexed, and their mean length in words."""

    documents: int
    avg_length: float


@dataclass(frozen=True)
class TermStats:
    """What scoring one item needs besides the item: each term's idf and the mean length."""

    terms: tuple[str, ...]
    idf: tuple[float, ...]
    avg_length: float


@dataclass
class KeywordPage:
    items: list[StoredItem]  # score = BM25
    stats: TermStats | None  # None when the query has no terms


def lexeme_query(term: str) -> str:
    """A lexeme as a tsquery, quoted so it is taken as it is (not parsed again)."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def any_of(terms: list[str]) -> str:
    return " | ".join(lexeme_query(t) for t in terms)


async def query_terms(conn: AsyncConnection, query: str,
                      namespace_prefix: tuple[str, ...] | None = None
                      ) -> tuple[list[str], ScopeSize | None]:
    """The distinct lexemes of a question under the index's configuration, stemmed, stop
    words dropped ("What did Priya say about May?" -> may, priya, say); with a prefix, in
    the same statement, the size of that scope: N and the mean length over its indexed
    items (an index-only scan)."""
    terms = sql.SQL(
        "SELECT coalesce(array_agg(DISTINCT u.lexeme ORDER BY u.lexeme), '{}')"
        " FROM unnest(to_tsvector(memory_keyword_language(), %s)) AS u")
    if namespace_prefix is None:
        cur = await conn.execute(sql.SQL("SELECT ({}) AS terms").format(terms), [query])
        return list((await one(cur))["terms"]), None
    scope, params = prefix_scope("k.prefix", namespace_prefix)
    cur = await conn.execute(
        sql.SQL("SELECT ({}) AS terms, count(*) AS n,"
                " coalesce(sum(k.length), 0)::float8 AS total"
                " FROM store_keywords k WHERE {}").format(terms, scope),
        [query, *params],
    )
    row = await one(cur)
    size = ScopeSize(row["n"], row["total"] / row["n"] if row["n"] else 0.0)
    return list(row["terms"]), size


def _tf(column: sql.Composable, count: int) -> sql.Composable:
    """ARRAY[tf of each of `count` terms] in a tsvector column; its parameters are
    _tf_params(terms)."""
    return sql.SQL("ARRAY[{}]").format(sql.SQL(", ").join(
        sql.SQL("width_bucket(ts_rank({}::float4[], {}, %s::tsquery)::float8,"
                " %s::float8[])").format(sql.Literal(_UNIT_WEIGHTS), column)
        for _ in range(count)))


def _tf_params(terms: list[str] | tuple[str, ...]) -> list:
    out: list = []
    for t in terms:
        out += [lexeme_query(t), TF_BOUNDS]
    return out


def _norm(length: sql.Composable, bm25: Bm25) -> sql.Composable:
    """BM25's length normalisation of an item, k1 * (1 - b + b * len / avglen); the mean
    length is a %s parameter."""
    return sql.SQL("{k1} * (1 - {b} + {b} * {length} / greatest(%s::float8, 1))").format(
        k1=sql.Literal(bm25.k1), b=sql.Literal(bm25.b), length=length)


def _bm25_sum(count: int, tf: str, idf: str, norm: str, bm25: Bm25) -> sql.Composable:
    """sum of BM25 over the terms, left to right (the same floating-point sum wherever it is
    computed): `tf` and `idf` are arrays in term order, `norm` the item's _norm."""
    parts = [
        sql.SQL("CASE WHEN {tf}[{i}] > 0 THEN {idf}[{i}] * {tf}[{i}] * {k1p1}"
                " / ({tf}[{i}] + {norm}) ELSE 0 END").format(
            tf=sql.SQL(tf), idf=sql.SQL(idf), norm=sql.SQL(norm), i=sql.Literal(i + 1),
            k1p1=sql.Literal(bm25.k1 + 1))
        for i in range(count)
    ]
    return sql.SQL("(0::float8 + {})").format(sql.SQL(" + ").join(parts))


def _idf(count: int) -> sql.Composable:
    """idf of each term (an array in term order) from the `hits` rows (tf arrays) and N,
    a %s parameter."""
    df = sql.SQL(", ").join(
        sql.SQL("count(*) FILTER (WHERE tf[{}] > 0)").format(sql.Literal(i + 1))
        for i in range(count))
    return sql.SQL(
        "SELECT array_agg(ln((1 + (%s::float8 - d + 0.5) / (d + 0.5))::float8) ORDER BY i)"
        " AS idf FROM (SELECT ARRAY[{}] AS df FROM hits) AS c,"
        " unnest(c.df) WITH ORDINALITY AS u(d, i)").format(df)


async def keyword_search(
    conn: AsyncConnection, terms: list[str], namespace_prefix: tuple[str, ...],
    conditions: list[Condition], limit: int, offset: int, bm25: Bm25, size: ScopeSize,
) -> KeywordPage:
    """Items holding any of `terms`, best BM25 first, ties broken by namespace and key (so
    pages are disjoint); only items that pass the filters and have not expired. `size` is
    the scope's N and mean length (scope_size)."""
    if not terms:
        return KeywordPage([], None)
    scope, scope_params = prefix_scope("k.prefix", namespace_prefix)
    count = len(terms)
    ctes = sql.SQL(
        """
        hits AS MATERIALIZED (
            SELECT k.prefix, k.key, {tf} AS tf, {norm} AS norm
            FROM store_keywords k
            WHERE {scope} AND k.tsv @@ %s::tsquery
        ),
        idf AS MATERIALIZED ({idf})
        """).format(tf=_tf(sql.SQL("k.tsv"), count), norm=_norm(sql.SQL("k.length"), bm25),
                    scope=scope, idf=_idf(count))
    # In the order the placeholders appear above.
    params = [*_tf_params(terms), size.avg_length, *scope_params, any_of(terms),
              size.documents]
    return await ranked_page(conn, ctes, params,
                             _bm25_sum(count, "h.tf", "idf.idf", "h.norm", bm25),
                             terms, conditions, limit, offset, size)


async def ranked_page(
    conn: AsyncConnection, ctes: sql.Composable, params: list, score: sql.Composable,
    terms: list[str], conditions: list[Condition], limit: int, offset: int, size: ScopeSize,
) -> KeywordPage:
    """A page of the items the `hits` and `idf` CTEs (`ctes`, with their `params`) rank by
    `score`, ties broken by namespace and key; only items that pass the filters and have not
    expired, fetched in rank order until the page is full."""
    filters, filter_params = filter_clause(conditions)
    cur = await conn.execute(
        sql.SQL(
            """
            WITH {ctes},
            ranked AS (
                SELECT h.prefix, h.key, {score} AS score
                FROM hits h CROSS JOIN idf
                ORDER BY score DESC, h.prefix, h.key
            )
            SELECT {cols}, r.score, (SELECT idf FROM idf) AS stat_idf
            FROM ranked r
            CROSS JOIN LATERAL (  -- in rank order, one item at a time, until the page is full
                SELECT s.* FROM store s
                WHERE s.prefix = r.prefix AND s.key = r.key AND {filters} AND {not_expired}
                OFFSET 0
            ) AS s
            ORDER BY r.score DESC, r.prefix, r.key
            LIMIT %s OFFSET %s
            """
        ).format(ctes=ctes, score=score, cols=sql.SQL(ITEM_COLUMNS), filters=filters,
                 not_expired=NOT_EXPIRED),
        [*params, *filter_params, limit, offset],
    )
    rows = await cur.fetchall()
    idf = tuple(rows[0]["stat_idf"]) if rows else ()
    return KeywordPage([StoredItem.from_row(r) for r in rows],
                       TermStats(tuple(terms), idf, size.avg_length) if rows else None)


async def fill_scores(
    conn: AsyncConnection, cosine_of: list[tuple[str, str]], bm25_of: list[tuple[str, str]],
    vector: list[float], stats: TermStats | None, bm25: Bm25,
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """The scores one leg did not give: the cosine of the (prefix, key) items in `cosine_of`,
    the BM25 of those in `bm25_of` (under the statistics a keyword search of the same scope
    reported; 0 for an item holding none of the terms), computed exactly as the legs
    compute them. One round trip; an item that no longer exists is left out."""
    terms = list(stats.terms) if stats and bm25_of else []
    keyword_part: sql.Composable
    if stats is not None and terms:
        keyword_part = sql.SQL(
            """
            SELECT 'bm25' AS leg, x.prefix, x.key, {score} AS score FROM (
                SELECT k.prefix, k.key, {tf} AS tf, {norm} AS norm, %s::float8[] AS idf
                FROM store_keywords k
                JOIN unnest(%s::text[], %s::text[]) AS u(prefix, key)
                  ON k.prefix = u.prefix AND k.key = u.key
            ) AS x
            UNION ALL
            """).format(score=_bm25_sum(len(terms), "x.tf", "x.idf", "x.norm", bm25),
                        tf=_tf(sql.SQL("k.tsv"), len(terms)),
                        norm=_norm(sql.SQL("k.length"), bm25))
        keyword_params = [*_tf_params(terms), stats.avg_length, list(stats.idf),
                          [p for p, _ in bm25_of], [k for _, k in bm25_of]]
    else:
        keyword_part, keyword_params = sql.SQL(""), []
    cur = await conn.execute(
        sql.SQL(
            """
            {keyword_part}
            SELECT 'cos' AS leg, sv.prefix, sv.key,
                   (1 - (sv.embedding <=> %s::vector))::float8 AS score
            FROM store_vectors sv
            JOIN unnest(%s::text[], %s::text[]) AS u(prefix, key)
              ON sv.prefix = u.prefix AND sv.key = u.key
            WHERE sv.field_name = %s
            """
        ).format(keyword_part=keyword_part),
        [*keyword_params, vector_param(conn, vector), [p for p, _ in cosine_of],
         [k for _, k in cosine_of], VECTOR_FIELD],
    )
    cosine: dict[tuple[str, str], float] = {}
    found_bm25: dict[tuple[str, str], float] = {}
    for r in await cur.fetchall():
        (cosine if r["leg"] == "cos" else found_bm25)[(r["prefix"], r["key"])] = r["score"]
    # Items without a keyword row (no words at all) hold none of the terms.
    for k in bm25_of:
        found_bm25.setdefault(k, 0.0)
    return cosine, found_bm25


async def index_language(conn: AsyncConnection) -> str:
    cur = await conn.execute("SELECT memory_keyword_language()::text AS language")
    return (await one(cur))["language"]


async def set_index_language(conn: AsyncConnection, language: str) -> None:
    """Rebuild the keyword index under another text-search configuration; the caller holds
    the transaction. Writers wait meanwhile (their triggers write store_keywords)."""
    await conn.execute("LOCK TABLE store_keywords IN EXCLUSIVE MODE")
    await conn.execute("UPDATE keyword_config SET language = %s::regconfig", (language,))
    await conn.execute(
        """
        UPDATE store_keywords k SET tsv = w.tsv, length = memory_tsv_length(w.tsv)
        FROM store_vectors sv
        CROSS JOIN LATERAL (SELECT to_tsvector(%s::regconfig, coalesce(sv.text, '')) AS tsv) w
        WHERE sv.prefix = k.prefix AND sv.key = k.key AND sv.field_name = %s
        """,
        (language, VECTOR_FIELD))


async def language_exists(conn: AsyncConnection, language: str) -> bool:
    try:
        async with conn.transaction():
            await conn.execute("SELECT %s::regconfig", (language,))
    except errors.UndefinedObject:
        return False
    return True
