"""Run a search with a query in one of the three modes.

- semantic: the store's vector search (exact up to EXACT_SEARCH_THRESHOLD candidates, an
  HNSW iterative scan above); score = cosine similarity.
- keyword: BM25 over the full-text index, any of the query's words (keyword_search.py);
  score = BM25.
- hybrid: both, fused (fusion.py); score = the fused score. While the query is embedded,
  its terms and the scope's size are looked up. Up to EXACT_SEARCH_THRESHOLD candidates one
  exact statement scores and ranks them all; above it the two legs run side by side and
  their results are ranked block by block (_hybrid_stream).
"""

import asyncio
import dataclasses
import logging
import time
import weakref
from typing import Protocol

from langgraph.store.base import SearchOp

from app.domain.filters import Condition, parse_filter
from app.domain.items import StoredItem
from app.domain.time_range import ListOrder, TimeRange
from app.errors import ServiceUnavailable
from app.observability import spans
from app.repositories import advisory_locks
from app.repositories import coverage_search as coverage_sql
from app.repositories import hybrid_search as hybrid_sql
from app.repositories import items as item_sql
from app.repositories import keyword_search as keyword_sql
from app.repositories import replica as replica_sql
from app.repositories import search as search_sql
from app.repositories.conditions import ns_text
from app.repositories.connection import AsyncConnectionPool
from app.search import fusion
from app.search.config import SearchConfig, SearchMode, SearchTuning
from app.search.time_cue import TIME_CUE_BOOST, in_month, month_cue
from app.search.vector import search_vector
from app.store.embedders import Embedder

log = logging.getLogger(__name__)

# Above EXACT_SEARCH_THRESHOLD candidates the keyword leg brings 1/KEYWORD_SHARE as many
# candidates per block as the vector leg (HYBRID_CANDIDATES).
KEYWORD_SHARE = 4


class Searchable(Protocol):
    """What a search needs of the store (MemoryStore): its pool, embedder and tuning."""

    pool: AsyncConnectionPool
    embedder: Embedder
    tuning: SearchTuning


@spans.statement_group("search")  # its query's embedding is a child span
async def search_items(store: Searchable, op: SearchOp, mode: SearchMode | None,
                       config: SearchConfig, times: TimeRange = TimeRange(),
                       order: ListOrder = ListOrder()) -> list[StoredItem]:
    """Every search: with a query, `mode` (default: the config's) picks semantic, keyword
    or hybrid; without one, a filtered listing in `order`. `times` filters like the value
    filter, inside every path's SQL. Refreshes TTLs if asked."""
    conditions = parse_filter(op.filter) + times.conditions()
    if op.query:
        found = await search(store, op, conditions, mode or config.default_mode, config)
    else:
        async with store.pool.connection() as conn:
            found = await search_sql.list_filtered(
                conn, op.namespace_prefix, conditions, op.limit, op.offset, order=order)
    if op.refresh_ttl and any(item.ttl_minutes is not None for item in found):
        async with store.pool.connection() as conn:  # a checkout only when there is work
            await item_sql.refresh_ttl(conn, found)
    return found


@spans.statement_group("list")
async def list_namespace(store: Searchable, namespace: tuple[str, ...], limit: int,
                         offset: int, times: TimeRange = TimeRange(),
                         order: ListOrder = ListOrder()) -> list[StoredItem]:
    """One namespace's items (not its children's) within `times`, in `order`."""
    async with store.pool.connection() as conn:
        return await search_sql.list_filtered(conn, namespace, times.conditions(), limit,
                                              offset, exact_namespace=True, order=order)


async def search(store: Searchable, op: SearchOp, conditions: list[Condition],
                 mode: SearchMode, config: SearchConfig) -> list[StoredItem]:
    assert op.query
    if mode == "semantic":
        vector = (await store.embedder.embed([op.query]))[0]
        return await search_vector(store.pool, store.tuning, vector, op, conditions=conditions)
    await ensure_language(store.pool, config.language)
    if mode == "keyword":
        async with store.pool.connection() as conn:
            terms, size = await _terms(store.pool, conn, op)
            page = await keyword_sql.keyword_search(conn, terms, op.namespace_prefix,
                                                    conditions, op.limit, op.offset,
                                                    config.bm25, size)
        return page.items
    return await _hybrid(store, op, conditions, config)


async def _hybrid(store: Searchable, op: SearchOp, conditions: list[Condition],
                  config: SearchConfig) -> list[StoredItem]:
    """While the query is embedded: its terms, the scope's size, how many items could match.
    Up to EXACT_SEARCH_THRESHOLD candidates, one exact statement ranks them all; above it,
    the keyword leg starts at once (it needs no vector) and the vector leg joins it."""
    assert op.query
    embedding = asyncio.ensure_future(store.embedder.embed([op.query]))
    keyword_leg: asyncio.Future | None = None
    try:
        async with store.pool.connection() as conn:
            terms, size, candidates = await _prepare(store, conn, op, conditions)
        exact = candidates <= store.tuning.exact_threshold
        if not exact:
            keyword_leg = asyncio.ensure_future(_keyword_leg(
                store.pool, terms, size, op, conditions,
                _keyword_depth(config.candidates), config))
        vector = (await embedding)[0]
    except BaseException:
        embedding.cancel()
        if keyword_leg is not None:
            keyword_leg.cancel()
        raise
    if exact:
        async with store.pool.connection() as conn:
            return await hybrid_sql.hybrid_exact(
                conn, vector, terms, size, op.namespace_prefix, conditions, op.limit,
                op.offset, config.keyword_weight, config.semantic_weight,
                month_cue(op.query or ""), TIME_CUE_BOOST)
    assert keyword_leg is not None
    return await _hybrid_stream(store, op, conditions, config, vector, terms, size,
                                candidates, keyword_leg)


def _keyword_depth(vector_depth: int) -> int:
    return max(1, vector_depth // KEYWORD_SHARE)


async def _hybrid_stream(store: Searchable, op: SearchOp, conditions: list[Condition],
                         config: SearchConfig, vector: list[float], terms: list[str],
                         size: keyword_sql.ScopeSize, candidates: int,
                         keyword_leg: asyncio.Future) -> list[StoredItem]:
    """Many candidates: the vector leg is an HNSW scan, approximate, its order relaxed. The
    results are a stream of blocks: the first block ranks by fused score the union of the
    vector leg's first HYBRID_CANDIDATES items and the keyword leg's first quarter as many
    (by share of the query's idf held: coverage_search.py); each next block, the items both
    legs twice as deep add. A deeper leg only extends a shallower one (the scan and the
    keyword ranking are deterministic), so every page is a
    slice of one stream: disjoint, and all of them together cover every match (the vector
    leg reaches every indexed item). An item's fused score is its own (fusion.py), whatever
    block brings it."""
    cue = month_cue(op.query or "")
    weights = fusion.Weights(config.keyword_weight, config.semantic_weight, TIME_CUE_BOOST)
    end = op.offset + op.limit
    depth = config.candidates  # the vector leg's; the keyword leg brings a fraction of it
    stream: list[tuple[float, StoredItem]] = []
    seen: set[tuple[str, str]] = set()
    stats: keyword_sql.TermStats | None = None
    while True:  # `keyword_leg` runs already, for this block
        try:
            vector_items = await search_vector(
                store.pool, store.tuning, vector,
                SearchOp(op.namespace_prefix, op.filter, depth, 0, op.query, False),
                candidates=candidates, conditions=conditions)
            keyword_page = await keyword_leg
        finally:
            keyword_leg.cancel()
        found = {_id(i): i for i in vector_items}
        cosine = {k: i.score for k, i in found.items() if i.score is not None}
        for item in keyword_page.items:
            found.setdefault(_id(item), item)
        stats = stats or keyword_page.stats  # the scope's idf: the same in every block
        new = [k for k in found if k not in seen]
        # The vector leg scored its items; the keyword leg's need their cosine, and every
        # item which of the terms it holds: one round trip for both.
        async with store.pool.connection() as conn:
            more, held = await hybrid_sql.block_scores(
                conn, new, {k for k in new if k not in cosine}, vector, stats)
        cosine.update(more)
        block = [fusion.Candidate(k[0], k[1], cosine[k], fusion.coverage(held.get(k), stats),
                                  in_month(found[k].value, cue))
                 for k in new if k in cosine]  # (an item deleted meanwhile drops out)
        for score, c in fusion.ranked(block, weights):
            stream.append((score, found[(c.prefix, c.key)]))
        seen.update(new)
        # Every candidate has been seen once the vector leg (which can find every indexed
        # item) comes back short.
        exhausted = len(vector_items) < depth
        if len(stream) >= end or exhausted:
            break
        depth *= 2
        keyword_leg = asyncio.ensure_future(_keyword_leg(
            store.pool, terms, size, op, conditions, _keyword_depth(depth), config))
    page = sorted(stream[op.offset:end], key=lambda si: (-si[0], _id(si[1])))
    return [dataclasses.replace(item, score=score) for score, item in page]


async def _prepare(store: Searchable, conn, op: SearchOp, conditions: list[Condition]
                   ) -> tuple[list[str], keyword_sql.ScopeSize, int]:
    """The terms, the scope's size, and how many items could match: every indexed item of
    the scope has a keyword row, so the scope's size bounds the count, and without filters
    is the count (give or take items expired since the last sweep)."""
    threshold = store.tuning.exact_threshold
    terms, size = await _terms(store.pool, conn, op)
    if size.documents <= threshold or not conditions:
        return terms, size, size.documents
    candidates = await search_sql.count_vector_candidates(
        conn, op.namespace_prefix, conditions, threshold + 1)
    return terms, size, candidates


async def _keyword_leg(pool: AsyncConnectionPool, terms: list[str],
                       size: keyword_sql.ScopeSize, op: SearchOp, conditions: list[Condition],
                       depth: int, config: SearchConfig) -> keyword_sql.KeywordPage:
    if not terms:
        return keyword_sql.KeywordPage([], None)
    async with pool.connection() as conn:  # nominated by what fusion scores (coverage)
        return await coverage_sql.coverage_search(conn, terms, op.namespace_prefix,
                                                  conditions, depth, size)


# -- a query's terms and its scope's size ----------------------------------------------------

# Counting a scope's indexed items and their lengths reads one index entry per item: cheap
# for a tenant, ~10 ms for 100,000 items. Scopes this large reuse the count for a few
# seconds: a handful of writes meanwhile moves N and the mean length by a hair.
SIZE_CACHE_MIN_DOCUMENTS = 20_000
SIZE_CACHE_SECONDS = 10.0
_sizes: "weakref.WeakKeyDictionary[AsyncConnectionPool, dict]" = weakref.WeakKeyDictionary()


async def _terms(pool: AsyncConnectionPool, conn, op: SearchOp
                 ) -> tuple[list[str], keyword_sql.ScopeSize]:
    assert op.query
    cache = _sizes.setdefault(pool, {})
    hit = cache.get(op.namespace_prefix)
    if hit is not None and hit[0] > time.monotonic():
        terms, _ = await keyword_sql.query_terms(conn, op.query)
        return terms, hit[1]
    terms, size = await keyword_sql.query_terms(conn, op.query, op.namespace_prefix)
    assert size is not None
    if size.documents >= SIZE_CACHE_MIN_DOCUMENTS:
        cache[op.namespace_prefix] = (time.monotonic() + SIZE_CACHE_SECONDS, size)
    else:
        cache.pop(op.namespace_prefix, None)
    return terms, size


def _id(item: StoredItem) -> tuple[str, str]:
    return ns_text(item.namespace), item.key


# -- the index's language --------------------------------------------------------------------

_checked: "weakref.WeakKeyDictionary[AsyncConnectionPool, str]" = weakref.WeakKeyDictionary()


async def ensure_language(pool: AsyncConnectionPool, language: str) -> None:
    """Build the keyword index with TEXT_SEARCH_LANGUAGE, once per process and database:
    a database indexed in another language is re-indexed here (store_vectors is rewritten,
    under an exclusive lock, before this search goes on)."""
    if _checked.get(pool) == language:
        return
    async with pool.connection() as conn:
        current = await keyword_sql.index_language(conn)
        if current != language:
            if await replica_sql.in_recovery(conn):
                return  # a read replica: the primary rebuilds (MemoryService), this follows
            if not await keyword_sql.language_exists(conn, language):
                raise ServiceUnavailable(f"TEXT_SEARCH_LANGUAGE {language!r} is not a text search "
                                   "configuration of this database (see \\dF in psql)")
            async with conn.transaction():
                await advisory_locks.lock_keyword_index(conn)
                if await keyword_sql.index_language(conn) != language:
                    log.warning("rebuilding the keyword index in %r (it was %r)", language,
                                current)
                    await keyword_sql.set_index_language(conn, language)
    _checked[pool] = language
