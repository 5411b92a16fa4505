"""The ways a search is made, each returning the result keys in rank order.

- http:  POST /v1/search on the real `memory-service serve` process (our service), semantic
         mode: vector search only, what the plain store does (like with like);
- hybrid: the same with mode "hybrid" (vector + BM25 keyword search fused, the server's
         default mode): information, measured at concurrency 1 only;
- ours:  the same MemoryService in this process, no HTTP, semantic mode (our service minus
         the web layer);
- plain: LangGraph's AsyncPostgresStore.asearch on the same tables and model;
- raw:   one pgvector query with a precomputed embedding: the floor, shaped like the plain
         store's (join, namespace prefix filter, ORDER BY embedding <=> q LIMIT 10).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from psycopg import sql

from bench.context import BenchContext, Query

METHODS = {
    "http": "our service, HTTP POST /v1/search, mode semantic",
    "hybrid": "our service, HTTP POST /v1/search, mode hybrid (info)",
    "ours": "our MemoryService in process (no HTTP), mode semantic",
    "plain": "plain AsyncPostgresStore.asearch in process",
    "raw": "raw pgvector SQL, precomputed vector",
}
LIMIT = 10
C1_ONLY = {"hybrid"}  # measured at concurrency 1 only (keeps `make bench` under 20 minutes)

_RAW = """
    SELECT s.prefix, s.key, s.value, 1 - (sv.embedding <=> %(v)s::vector) AS score
    FROM store s JOIN store_vectors sv ON s.prefix = sv.prefix AND s.key = sv.key
    WHERE {scope}
    ORDER BY sv.embedding <=> %(v)s::vector
    LIMIT %(limit)s
"""
RAW_TENANT = sql.SQL(_RAW).format(
    scope=sql.SQL("(s.prefix = %(p)s OR s.prefix LIKE %(like)s)"))
RAW_GLOBAL = sql.SQL(_RAW).format(scope=sql.SQL("TRUE"))

SearchCall = Callable[[Query, tuple[str, ...]], Awaitable[list[str]]]


def raw_statement(prefix: tuple[str, ...]) -> tuple[sql.Composable, dict]:
    if not prefix:
        return RAW_GLOBAL, {}
    path = ".".join(prefix)
    like = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%"
    return RAW_TENANT, {"p": path, "like": like}


async def search_call(ctx: BenchContext, method: str) -> SearchCall:
    if method in ("http", "hybrid"):
        client = await ctx.http()
        mode = "semantic" if method == "http" else "hybrid"

        async def call(q: Query, prefix: tuple[str, ...]) -> list[str]:
            r = await client.post("/v1/search", json={
                "query": q.text, "namespace_prefix": list(prefix), "limit": LIMIT,
                "mode": mode})
            r.raise_for_status()
            return [item["key"] for item in r.json()["items"]]

    elif method == "ours":
        memories = (await ctx.runtime()).memories

        async def call(q: Query, prefix: tuple[str, ...]) -> list[str]:
            return [i.key for i in await memories.search(prefix, query=q.text, limit=LIMIT,
                                                         mode="semantic")]

    elif method == "plain":
        store = await ctx.plain_store()

        async def call(q: Query, prefix: tuple[str, ...]) -> list[str]:
            return [i.key for i in await store.asearch(prefix, query=q.text, limit=LIMIT)]

    elif method == "raw":
        pool = await ctx.pool()

        async def call(q: Query, prefix: tuple[str, ...]) -> list[str]:
            statement, params = raw_statement(prefix)
            async with pool.connection() as conn:
                cur = await conn.execute(statement, {**params, "v": q.vector, "limit": LIMIT})
                return [r["key"] for r in await cur.fetchall()]

    else:
        raise ValueError(f"unknown search method {method!r}")
    return call
