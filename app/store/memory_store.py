"""MemoryStore: LangGraph's AsyncPostgresStore with its write and search pitfalls fixed.

It keeps the parent's schema and setup, namespace listing and TTL sweep, and stays a
`BaseStore` (abatch) on the same tables, so LangGraph code can use it in process. Writes
and searches go through our repositories:
- one vector per item, re-embedded only when its indexed text changes, batched per write;
- a vector is dropped when indexing is turned off, so stale text never matches;
- exact search for small candidate sets, HNSW iterative scans for large ones, full pages,
  disjoint paging, numeric filters: every query path is app/search's (engine.py).
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, cast

from langgraph.store.base import GetOp, ListNamespacesOp, Op, PutOp, Result, SearchOp
from langgraph.store.postgres import AsyncPostgresStore
from langgraph.store.postgres.base import PostgresIndexConfig

from app.domain.history import Origin
from app.domain.items import StoredItem, WriteMode
from app.domain.time_range import ListOrder, TimeRange
from app.repositories import history as history_sql
from app.repositories import item_writes as write_sql
from app.repositories import items as item_sql
from app.repositories.conditions import ns_text
from app.repositories.connection import AsyncConnection, AsyncConnectionPool
from app.search import engine as search_engine
from app.search.config import SearchConfig, SearchMode, SearchTuning
from app.search.vector import search_vector
from app.store.embedders import Embedder
from app.store.text import indexed_text
from app.store.write_turns import WriteTurns

__all__ = ["MemoryStore", "SearchTuning"]


class MemoryStore(AsyncPostgresStore):
    def __init__(self, pool: AsyncConnectionPool, embedder: Embedder,
                 tuning: SearchTuning | None = None, config: SearchConfig | None = None,
                 *, write_concurrency: int = 0) -> None:
        """`config`: how searches rank when a caller brings none; the server passes its
        settings' (SearchConfig.from_settings), LangGraph code in process gets the defaults.
        `write_concurrency`: writes embedded and written at once (0: no bound); the rest
        wait their turn without using the CPU, so reads keep their latency under write load."""
        # HNSW's own keys and an async embed function: LangGraph takes both, its types do not
        index = cast(PostgresIndexConfig, {
            "dims": embedder.dims,
            "embed": embedder.embed,
            "fields": ["$"],
            "distance_type": "cosine",
            "ann_index_config": {"kind": "hnsw", "m": 16, "ef_construction": 64},
        })
        super().__init__(
            pool,
            index=index,
            ttl={"refresh_on_read": True, "omit_expired": True},
        )
        self.pool = pool
        self.embedder = embedder
        self.tuning = tuning or SearchTuning()
        self.search_config = config or SearchConfig()
        self.write_turns = WriteTurns(write_concurrency)

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
            write_sql.ItemWrite(
                namespace=op.namespace, key=op.key, value=dict(op.value),
                ttl_minutes=_ttl(op),
                text=(None if op.index is False
                      else indexed_text(dict(op.value), _fields(op)) or None),
            )
            for op in latest.values() if op.value is not None
        ]
        deletes = [(op.namespace, op.key) for op in latest.values() if op.value is None]
        async with self.write_turns.turn(needed=bool(writes)):  # deletes embed nothing
            await self._embed_changed(writes)
            async with self.pool.connection() as conn:
                if mode == "upsert" and not deletes and also is None:
                    # Nothing to refuse, nothing else to join: one statement, its own
                    # transaction (autocommit), no BEGIN/COMMIT round trips.
                    await write_sql.write_items(conn, writes, mode, origin=origin)
                    return
                async with conn.transaction():
                    await history_sql.set_origin(conn, origin)
                    await item_sql.delete_items(conn, deletes)
                    await write_sql.write_items(conn, writes, mode)
                    if also is not None:
                        await also(conn)

    async def _embed_changed(self, writes: list[write_sql.ItemWrite]) -> None:
        """Embed, in one batch, only the texts that differ from what is already indexed."""
        indexed = [w for w in writes if w.text is not None]
        if not indexed:
            return
        async with self.pool.connection() as conn:
            current = await write_sql.indexed_texts(conn, [(w.namespace, w.key) for w in indexed])
        changed = [w for w in indexed if current.get((ns_text(w.namespace), w.key)) != w.text]
        vectors = await self.embedder.embed([w.text for w in changed if w.text is not None])
        for write, vector in zip(changed, vectors, strict=True):
            write.embedding = vector

    # -- reads ----------------------------------------------------------------------------

    async def get_items(self, namespace: tuple[str, ...], keys: list[str], *,
                        refresh_ttl: bool = True) -> dict[str, StoredItem]:
        async with self.pool.connection() as conn:
            return await item_sql.get_items(conn, namespace, keys, refresh_ttl=refresh_ttl)

    async def search_items(self, op: SearchOp, mode: SearchMode | None = None,
                           config: SearchConfig | None = None, times: TimeRange = TimeRange(),
                           order: ListOrder = ListOrder()) -> list[StoredItem]:
        """With a query: `mode` (default: the config's default mode) picks semantic, keyword
        or hybrid search; without one: a filtered listing in `order` (app/search)."""
        return await search_engine.search_items(self, op, mode, config or self.search_config,
                                                times, order)

    async def list_items(self, namespace: tuple[str, ...], limit: int, offset: int,
                         times: TimeRange = TimeRange(),
                         order: ListOrder = ListOrder()) -> list[StoredItem]:
        """One namespace's items (not its children's) within `times`, in `order`."""
        return await search_engine.list_namespace(self, namespace, limit, offset, times, order)

    async def search_vector(self, vector: list[float], op: SearchOp, *,
                            candidates: int | None = None) -> list[StoredItem]:
        """Nearest neighbours of an already computed vector (no TTL refresh)."""
        return await search_vector(self.pool, self.tuning, vector, op, candidates=candidates)

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
        return cast(list[tuple[str, ...]], (await super().abatch([op]))[0])

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
