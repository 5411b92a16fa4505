"""MemoryStore: LangGraph's AsyncPostgresStore with its write and search pitfalls fixed.

It keeps the parent's schema and setup, namespace listing and TTL sweep, and stays a
`BaseStore` (abatch) on the same tables, so LangGraph code can use it in process. Writes
and searches go through our repositories:
- one vector per item, re-embedded only when its indexed text changes, batched per write;
- a vector is dropped when indexing is turned off, so stale text never matches;
- exact search for small candidate sets, HNSW iterative scans for large ones, full pages,
  disjoint paging, numeric filters.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from langgraph.store.base import GetOp, ListNamespacesOp, Op, PutOp, Result, SearchOp
from langgraph.store.postgres import AsyncPostgresStore
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from app.repositories import history as history_sql
from app.repositories import items as item_sql
from app.repositories import search as search_sql
from app.repositories.conditions import ns_text
from app.repositories.history import Origin
from app.repositories.items import WriteMode
from app.repositories.rows import StoredItem
from app.search import engine as search_engine
from app.search.config import SearchConfig, SearchMode
from app.store.embedders import Embedder
from app.store.filters import parse_filter
from app.store.text import indexed_text

LARGE_SCOPE_SECONDS = 10.0


@dataclass(frozen=True)
class SearchTuning:
    exact_threshold: int = 20_000
    ef_search: int = 100
    ef_search_scoped: int = 1000
    max_scan_tuples: int = 200_000


class MemoryStore(AsyncPostgresStore):
    def __init__(self, pool: AsyncConnectionPool, embedder: Embedder,
                 tuning: SearchTuning | None = None) -> None:
        super().__init__(
            pool,
            index={
                "dims": embedder.dims,
                "embed": embedder.embed,
                "fields": ["$"],
                "distance_type": "cosine",
                "ann_index_config": {"kind": "hnsw", "m": 16, "ef_construction": 64},
            },
            ttl={"refresh_on_read": True, "omit_expired": True},
        )
        self.pool = pool
        self.embedder = embedder
        self.tuning = tuning or SearchTuning()
        self._large_scopes: dict[tuple[str, ...], float] = {}  # prefix -> until (monotonic)

    # -- writes ---------------------------------------------------------------------------

    async def apply_puts(self, ops: Iterable[PutOp], mode: WriteMode = "upsert",
                         origin: Origin = Origin("direct"),
                         also: Callable[[AsyncConnection], Awaitable[None]] | None = None) -> None:
        """Apply puts and deletes (value None) in one transaction; the last op per key wins.

        mode "insert" fails with 409 on an existing key, "update" with 404 on a missing one.
        `origin` is recorded in the history of every change. `also` runs last inside the same
        transaction (a job marks itself done there, so its changes commit exactly once).
        """
        latest: dict[tuple[tuple[str, ...], str], PutOp] = {}
        for op in ops:
            latest[(op.namespace, op.key)] = op
        writes = [
            item_sql.ItemWrite(
                namespace=op.namespace, key=op.key, value=dict(op.value),
                ttl_minutes=_ttl(op),
                text=None if op.index is False else indexed_text(op.value, _fields(op)) or None,
            )
            for op in latest.values() if op.value is not None
        ]
        deletes = [(op.namespace, op.key) for op in latest.values() if op.value is None]
        await self._embed_changed(writes)
        async with self.pool.connection() as conn, conn.transaction():
            await history_sql.set_origin(conn, origin)
            await item_sql.delete_items(conn, deletes)
            await item_sql.write_items(conn, writes, mode)
            if also is not None:
                await also(conn)

    async def _embed_changed(self, writes: list[item_sql.ItemWrite]) -> None:
        """Embed, in one batch, only the texts that differ from what is already indexed."""
        indexed = [w for w in writes if w.text is not None]
        if not indexed:
            return
        async with self.pool.connection() as conn:
            current = await item_sql.indexed_texts(conn, [(w.namespace, w.key) for w in indexed])
        changed = [w for w in indexed if current.get((ns_text(w.namespace), w.key)) != w.text]
        vectors = await self.embedder.embed([w.text for w in changed])
        for write, vector in zip(changed, vectors, strict=True):
            write.embedding = vector

    # -- reads ----------------------------------------------------------------------------

    async def get_items(self, namespace: tuple[str, ...], keys: list[str], *,
                        refresh_ttl: bool = True) -> dict[str, StoredItem]:
        async with self.pool.connection() as conn, conn.transaction():
            return await item_sql.get_items(conn, namespace, keys, refresh_ttl=refresh_ttl)

    # Search settings for callers that bring none (LangGraph code using the store in process);
    # the service passes the server's own (SearchConfig.from_settings).
    search_config: SearchConfig = SearchConfig()

    async def search_items(self, op: SearchOp, mode: SearchMode | None = None,
                           config: SearchConfig | None = None) -> list[StoredItem]:
        """With a query: `mode` (default: the config's default mode) picks semantic, keyword
        or hybrid search (app/search). Without one: a filtered listing, newest first."""
        conditions = parse_filter(op.filter)
        if op.query:
            config = config or self.search_config
            found = await search_engine.search(self, op, conditions,
                                               mode or config.default_mode, config)
        else:
            async with self.pool.connection() as conn:
                found = await search_sql.list_filtered(
                    conn, op.namespace_prefix, conditions, op.limit, op.offset)
        if op.refresh_ttl and found:
            async with self.pool.connection() as conn:
                await item_sql.refresh_ttl(conn, found)
        return found

    async def list_items(self, namespace: tuple[str, ...], limit: int,
                         offset: int) -> list[StoredItem]:
        """One namespace's items (not its children's), newest first."""
        async with self.pool.connection() as conn:
            return await search_sql.list_filtered(conn, namespace, [], limit, offset,
                                                  exact_namespace=True)

    async def search_vector(self, vector: list[float], op: SearchOp, *,
                            candidates: int | None = None) -> list[StoredItem]:
        """Nearest neighbours of an already computed vector (no TTL refresh). `candidates`:
        the count of count_vector_candidates, when the caller has it already."""
        conditions = parse_filter(op.filter)
        t = self.tuning
        args = (vector, op.namespace_prefix, conditions)
        async with self.pool.connection() as conn:
            if candidates is None:
                candidates = await self._count_candidates(conn, op.namespace_prefix,
                                                          conditions)
            if candidates <= t.exact_threshold:
                return await search_sql.exact_vector_search(conn, *args, op.limit, op.offset)
            # A scoped search skips other tenants' rows as it walks the graph: it needs a wider
            # candidate list to keep its recall.
            scoped = bool(op.namespace_prefix or conditions)
            wanted = op.offset + op.limit
            stream = await search_sql.ann_vector_stream(
                conn, *args, wanted, ef_search=t.ef_search_scoped if scoped else t.ef_search,
                max_scan_tuples=t.max_scan_tuples)
            page = stream[op.offset:wanted]
            if len(stream) < wanted:
                # The scan ran dry: the ranking continues with the exact order of the rest.
                seen = [(ns_text(i.namespace), i.key) for i in stream]
                page += await search_sql.exact_vector_search(
                    conn, *args, op.limit - len(page), max(0, op.offset - len(stream)), seen)
        return sorted(page, key=lambda i: (-(i.score or 0.0), ".".join(i.namespace), i.key))

    async def _count_candidates(self, conn: AsyncConnection, prefix: tuple[str, ...],
                                conditions: list) -> int:
        """count_vector_candidates, capped just above the exact threshold. A scope without
        filters found above it is taken to stay there for LARGE_SCOPE_SECONDS: counting
        20,000 index entries took ~5 ms of a ~2 ms HNSW search of a 100,000-item table. (A
        scope emptied meanwhile is searched by HNSW for those seconds: still full pages.)"""
        cap = self.tuning.exact_threshold + 1
        if not conditions and self._large_scopes.get(prefix, 0.0) > time.monotonic():
            return cap
        n = await search_sql.count_vector_candidates(conn, prefix, conditions, cap)
        if not conditions and n >= cap:
            self._large_scopes[prefix] = time.monotonic() + LARGE_SCOPE_SECONDS
        return n

    async def existing_values(self, namespace_prefix: tuple[str, ...],
                              values: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Which of these values some item under the prefix already holds, exactly."""
        async with self.pool.connection() as conn:
            return await item_sql.existing_values(conn, namespace_prefix, values)

    async def sweep_ttl(self) -> int:
        """Delete expired items, recorded in history as source 'ttl'."""
        async with self.pool.connection() as conn, conn.transaction():
            await history_sql.set_origin(conn, Origin("ttl"))
            return await item_sql.delete_expired(conn)

    async def list_namespaces_op(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        return (await super().abatch([op]))[0]

    # -- BaseStore ------------------------------------------------------------------------

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        ops = list(ops)
        results: list[Result] = [None] * len(ops)

        async def run(i: int, op: Op) -> None:
            if isinstance(op, GetOp):
                found = await self.get_items(op.namespace, [op.key], refresh_ttl=op.refresh_ttl)
                results[i] = found[op.key].to_item() if op.key in found else None
            elif isinstance(op, SearchOp):
                results[i] = [it.to_search_item() for it in await self.search_items(op)]
            elif isinstance(op, ListNamespacesOp):
                results[i] = await self.list_namespaces_op(op)

        # Reads first, then writes: the order AsyncPostgresStore itself uses.
        await asyncio.gather(*(run(i, op) for i, op in enumerate(ops)
                               if not isinstance(op, PutOp)))
        puts = [op for op in ops if isinstance(op, PutOp)]
        if puts:
            await self.apply_puts(puts)
        return results


def _ttl(op: PutOp) -> float | None:
    return op.ttl if isinstance(op.ttl, int | float) else None


def _fields(op: PutOp) -> list[str] | None:
    return list(op.index) if isinstance(op.index, list | tuple) else None
