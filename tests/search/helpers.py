"""What the search pitfall tests share: memory texts, one search interface for the plain
store and for our HTTP API, the property checks applied to both, and SQL probes.

Every property check returns a list of problems; a test asserts the list is empty for our
service and not empty for the plain store, so each check is shown to tell the two apart.
"""

import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
from langgraph.store.base import SearchOp
from langgraph.store.postgres import AsyncPostgresStore
from langgraph.store.postgres import base as plain_base
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from app.domain.filters import parse_filter
from app.repositories import search as search_sql
from app.store.memory_store import MemoryStore

HNSW_INDEX = "store_vectors_embedding_idx"

# -- memory texts -------------------------------------------------------------------------

SUBJECTS = ["Alice", "Bob", "The user", "My manager", "Our team", "The customer", "Grandma",
            "The doctor"]
VERBS = ["likes", "hates", "is learning", "often talks about", "wants to buy", "is allergic to",
         "collects", "writes about"]
TOPICS = ["dark roast coffee", "Italian opera", "mountain hiking", "vintage cameras",
          "Rust programming", "sourdough bread", "jazz piano", "electric cars", "chess openings",
          "tropical fish", "Japanese gardens", "marathon training", "tax law", "board games",
          "vegan recipes", "space telescopes"]
PLACES = ["on weekends", "at work", "in Lisbon", "every morning", "with friends", "since 2019"]

QUERIES = [f"Who is into {topic}?" for topic in TOPICS] + [
    "morning routine", "weekend plans with friends", "food allergies", "things to buy at work"]


def sentences(seed: int, n: int) -> list[str]:
    """n distinct memory sentences, always the same ones for the same seed."""
    rng = random.Random(seed)
    found: dict[str, None] = {}
    while len(found) < n:
        found[f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(TOPICS)} "
              f"{rng.choice(PLACES)}"] = None
    return list(found)


# -- one search interface -----------------------------------------------------------------


@dataclass
class Service:
    """Our app, reached through its HTTP API, and the MemoryStore inside it."""

    path: str  # "exact" or "ann": the search path its settings select
    client: httpx.AsyncClient
    store: MemoryStore


@dataclass(frozen=True)
class Hit:
    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any]
    score: float | None


Searcher = Callable[..., Awaitable[list[Hit]]]


def plain_searcher(store: AsyncPostgresStore) -> Searcher:
    async def search(prefix: tuple[str, ...], *, query: str | None = None,
                     filter: dict | None = None, limit: int = 10, offset: int = 0) -> list[Hit]:
        found = await store.asearch(prefix, query=query, filter=filter, limit=limit,
                                    offset=offset)
        return [Hit(tuple(i.namespace), i.key, i.value, i.score) for i in found]

    return search


def http_searcher(client: httpx.AsyncClient, route: str = "/store/items/search") -> Searcher:
    """POST /store/items/search (LangGraph's API) or POST /v1/search; both take this body."""

    async def search(prefix: tuple[str, ...], *, query: str | None = None,
                     filter: dict | None = None, limit: int = 10, offset: int = 0) -> list[Hit]:
        body: dict[str, Any] = {"namespace_prefix": list(prefix), "limit": limit,
                                "offset": offset}
        if query is not None:
            body["query"] = query
        if filter is not None:
            body["filter"] = filter
        response = await client.post(route, json=body)
        assert response.status_code == 200, response.text
        return [Hit(tuple(i["namespace"]), i["key"], i["value"], i["score"])
                for i in response.json()["items"]]

    return search


ROUTES = ["/store/items/search", "/v1/search"]


# -- property checks ----------------------------------------------------------------------


def page_problems(hits: list[Hit], expected: int) -> list[str]:
    """A page holds `expected` distinct items, best first."""
    problems = []
    if len(hits) != expected:
        problems.append(f"{len(hits)} results instead of {expected}")
    ids = [(h.namespace, h.key) for h in hits]
    if len(set(ids)) != len(ids):
        problems.append("an item appears twice on the page")
    scores = [h.score for h in hits]
    if any(s is None for s in scores) or scores != sorted(scores, reverse=True):
        problems.append("scores are not in descending order")
    return problems


async def page_through(search: Searcher, prefix: tuple[str, ...], query: str, limit: int,
                       pages: int) -> list[list[Hit]]:
    return [await search(prefix, query=query, limit=limit, offset=n * limit)
            for n in range(pages)]


def paging_problems(pages: list[list[Hit]], expected_keys: Iterable[str]) -> list[str]:
    """Pages are disjoint and together hold every expected item, and nothing else."""
    expected = set(expected_keys)
    keys = [h.key for page in pages for h in page]
    problems = []
    if len(keys) != len(set(keys)):
        problems.append(f"{len(keys) - len(set(keys))} items appear on more than one page")
    if missing := expected - set(keys):
        problems.append(f"{len(missing)} of {len(expected)} items are on no page")
    if extra := set(keys) - expected:
        problems.append(f"{len(extra)} items that should not match")
    return problems


def path_problems(taken: list[str], path: str) -> list[str]:
    """Our store answered by `path`: "exact" alone, or the HNSW scan (which may finish with
    an exact search when the graph runs out before the page fills)."""
    if not taken:
        return ["no vector search ran"]
    if path == "exact" and set(taken) != {"exact"}:
        return [f"the exact setting took {taken}"]
    if path == "ann" and taken[0] != "ann":
        return [f"the HNSW setting took {taken}"]
    return []


def recall(found: Iterable[str], truth: Iterable[str]) -> float:
    truth = set(truth)
    return len(set(found) & truth) / len(truth)


# -- SQL probes ---------------------------------------------------------------------------


def vector_literal(vector: list[float]) -> str:
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


async def exact_neighbours(pool: AsyncConnectionPool, namespace: tuple[str, ...],
                           vector: list[float], k: int) -> list[str]:
    """The true k nearest keys of one namespace: a full scan, the ANN index switched off."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SET LOCAL enable_indexscan = off")
        cur = await conn.execute(
            "SELECT key FROM store_vectors WHERE prefix = %s"
            " ORDER BY embedding <=> %s::vector, key LIMIT %s",
            (".".join(namespace), vector_literal(vector), k),
        )
        return [r["key"] for r in await cur.fetchall()]


async def plain_store_plan(plain: AsyncPostgresStore, vector: list[float],
                           prefix: tuple[str, ...], limit: int) -> str:
    """EXPLAIN of the very query the plain store runs for this search."""
    queries, _ = plain._prepare_batch_search_queries(
        [(0, SearchOp(prefix, None, limit, 0, "query"))])
    query, params = queries[0]
    params = [vector_literal(vector) if p is plain_base.PLACEHOLDER else p for p in params]
    async with plain.conn.connection() as conn:
        cur = await conn.execute("EXPLAIN " + query, params)
        return "\n".join(r["QUERY PLAN"] for r in await cur.fetchall())


class _Explaining:
    """A connection stand-in that EXPLAINs each composed query before running it (with
    `analyze`, EXPLAIN ANALYZE: the plan's actual rows and loops)."""

    def __init__(self, conn, *, analyze: bool = False) -> None:
        self.conn = conn
        self.plans: list[str] = []
        self._explain = sql.SQL("EXPLAIN (ANALYZE) " if analyze else "EXPLAIN ")

    def transaction(self):
        return self.conn.transaction()

    @property
    def adapters(self):  # the vector parameter's dumper is registered on the connection
        return self.conn.adapters

    async def execute(self, query, params=None):
        if isinstance(query, sql.Composable):
            cur = await self.conn.execute(self._explain + query, params)
            self.plans.append("\n".join(r["QUERY PLAN"] for r in await cur.fetchall()))
        return await self.conn.execute(query, params)


async def ann_query_plan(pool: AsyncConnectionPool, vector: list[float],
                         prefix: tuple[str, ...], limit: int, *, ef_search: int,
                         max_scan_tuples: int, filter: dict | None = None) -> str:
    """EXPLAIN of our HNSW iterative-scan query, under the settings it runs with."""
    async with pool.connection() as conn:
        probe = _Explaining(conn)
        await search_sql.ann_vector_stream(probe, vector, prefix, parse_filter(filter), limit,
                                           ef_search=ef_search, max_scan_tuples=max_scan_tuples)
    (plan,) = probe.plans
    return plan


def uses_hnsw(plan: str) -> bool:
    return f"Index Scan using {HNSW_INDEX}" in plan
