"""EXPLAIN (ANALYZE, BUFFERS) of every statement each method runs for one search.

Our service's statements are captured as it runs: a MemoryStore whose pool hands out a
connection proxy that executes each statement for real (so the code takes its real path)
and then once more under EXPLAIN ANALYZE. The plain store's statement is the one it builds
itself (`_prepare_batch_search_queries`, with the query vector filled in).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import numpy as np
from langgraph.store.base import SearchOp
from psycopg import sql

from bench.calls import LIMIT, raw_statement
from bench.context import BenchContext, Query

MAX_PLAN_LINES = 45


class _ExplainingConnection:
    def __init__(self, conn, plans: list[tuple[str, str]]) -> None:
        self._conn = conn
        self._plans = plans

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    async def execute(self, query, params=None, **kwargs):
        cur = await self._conn.execute(query, params, **kwargs)
        rows = await cur.fetchall() if cur.description else None
        statement = query if isinstance(query, sql.Composable) else sql.SQL(query)
        text = statement.as_string(self._conn)
        words = text.split()
        if words and words[0].upper() in ("SELECT", "WITH", "UPDATE", "INSERT", "DELETE") \
                and "set_config(" not in text:
            explained = await self._conn.execute(
                sql.SQL("EXPLAIN (ANALYZE, BUFFERS) ") + statement, params)
            plan = "\n".join(r["QUERY PLAN"] for r in await explained.fetchall())
            self._plans.append((_first_words(text), plan))
        return _Rows(rows, cur)


class _Rows:
    def __init__(self, rows, cur) -> None:
        self._rows = rows or []
        self.description = cur.description
        self.rowcount = cur.rowcount

    async def fetchall(self):
        return self._rows

    async def fetchone(self):
        return self._rows[0] if self._rows else None


class _ExplainingPool:
    def __init__(self, pool, plans: list[tuple[str, str]]) -> None:
        self._pool = pool
        self._plans = plans

    @contextlib.asynccontextmanager
    async def connection(self, *args, **kwargs):
        async with self._pool.connection(*args, **kwargs) as conn:
            yield _ExplainingConnection(conn, self._plans)


def _first_words(text: str) -> str:
    return " ".join(text.split())[:160]


async def _ours(ctx: BenchContext, query: Query, prefix: tuple[str, ...]) -> list:
    runtime = await ctx.runtime()
    plans: list[tuple[str, str]] = []
    store = runtime.store
    real_pool = store.pool
    store.pool = _ExplainingPool(real_pool, plans)
    try:
        await store.search_items(SearchOp(prefix, None, LIMIT, 0, query.text, False),
                                 "semantic")
    finally:
        store.pool = real_pool
    return plans


async def _plain(ctx: BenchContext, query: Query, prefix: tuple[str, ...]) -> list:
    from langgraph.store.postgres.base import PLACEHOLDER

    store = await ctx.plain_store()
    op = SearchOp(prefix, None, LIMIT, 0, query.text, refresh_ttl=False)  # as asearch does
    queries, _ = store._prepare_batch_search_queries([(0, op)])
    statement, params = queries[0]
    vector = [float(x) for x in query.vector.strip("[]").split(",")]
    params = [vector if p is PLACEHOLDER else p for p in params]
    pool = await ctx.pool()
    async with pool.connection() as conn:
        cur = await conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
        return [(_first_words(statement), "\n".join(r["QUERY PLAN"]
                                                    for r in await cur.fetchall()))]


async def _raw(ctx: BenchContext, query: Query, prefix: tuple[str, ...]) -> list:
    statement, params = raw_statement(prefix)
    pool = await ctx.pool()
    async with pool.connection() as conn:
        cur = await conn.execute(sql.SQL("EXPLAIN (ANALYZE, BUFFERS) ") + statement,
                                 {**params, "v": query.vector, "limit": LIMIT})
        return [("raw pgvector query", "\n".join(r["QUERY PLAN"]
                                                 for r in await cur.fetchall()))]


async def collect(ctx: BenchContext, queries: list[Query]) -> dict[str, Any]:
    assert ctx.corpus is not None and ctx.loaded_size is not None
    sizes = ctx.corpus.tenant_sizes(ctx.loaded_size)
    tenant_size = {q.target: int(sizes[ctx.corpus.tenant_of[q.target]]) for q in queries}
    biggest = max(queries, key=lambda q: tenant_size[q.target])
    small_items = [i for i, t in enumerate(ctx.corpus.tenant_of[: ctx.loaded_size])
                   if 5 <= sizes[t] <= 20]
    small_target = small_items[len(small_items) // 2]
    small_vec = ctx.embed_cached([ctx.corpus.questions[small_target]], "explain")[0]
    from bench.context import vector_literal

    small = Query(ctx.corpus.questions[small_target], vector_literal(np.asarray(small_vec)),
                  ctx.corpus.namespace(small_target), small_target)
    cases = {
        "global": (queries[0], (), "no namespace prefix (whole table)"),
        "big tenant": (biggest, biggest.tenant,
                       f"tenant {'.'.join(biggest.tenant)} with {tenant_size[biggest.target]:,} "
                       "memories (the largest tenant in the query set)"),
        "small tenant": (small, small.tenant,
                         f"tenant {'.'.join(small.tenant)} with "
                         f"{int(sizes[ctx.corpus.tenant_of[small_target]])} memories"),
    }
    out: dict[str, Any] = {}
    for name, (query, prefix, description) in cases.items():
        out[name] = {"description": description, "query": query.text,
                     "ours": await _ours(ctx, query, prefix),
                     "plain": await _plain(ctx, query, prefix),
                     "raw": await _raw(ctx, query, prefix)}
    return out


_VECTOR = re.compile(r"'\[[-+0-9.eE,]{200,}\]'")


def _trim(plan: str) -> str:
    plan = _VECTOR.sub("'[...384 floats...]'", plan)
    lines = plan.splitlines()
    if len(lines) > MAX_PLAN_LINES:
        lines = lines[:MAX_PLAN_LINES] + [f"... ({len(lines) - MAX_PLAN_LINES} more lines)"]
    return "\n".join(lines)


def execution_ms(plan: str) -> float | None:
    match = re.search(r"Execution Time: ([0-9.]+) ms", plan)
    return float(match.group(1)) if match else None


def render(explained: dict[str, dict[str, Any]]) -> str:
    parts = []
    labels = {"ours": "our service (every statement one search runs)",
              "plain": "plain AsyncPostgresStore", "raw": "raw SQL floor"}
    for size, cases in explained.items():
        for name, case in cases.items():
            parts.append(f"\n**{name}** at {int(size):,} memories — {case['description']}; "
                         f"query: \"{case['query']}\"\n")
            for method in ("ours", "plain", "raw"):
                for i, (statement, plan) in enumerate(case[method], 1):
                    exec_line = next((ln.strip() for ln in plan.splitlines()
                                      if ln.strip().startswith("Execution Time")), "")
                    parts.append(f"<details><summary>{labels[method]} — statement {i}: "
                                 f"{exec_line}</summary>\n\n```\n{statement}\n\n"
                                 f"{_trim(plan)}\n```\n</details>\n")
    return "\n".join(parts)
