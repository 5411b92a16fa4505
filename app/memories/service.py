"""The memory service: every door (v1, /store, tools, MCP) and extraction write through here
(import, being rewritten, still writes through the store: app/lifecycle/transfer.py).

With a read replica (DATABASE_READ_URL), plain reads (search, lists, get) answer from it and
may lag the primary; a write, the read that answers it, and any read asked `fresh` go to
the primary, which has every write so far.
"""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from langgraph.store.base import ListNamespacesOp, MatchCondition, PutOp, SearchOp

from app.config import Settings
from app.db.read_pool import ReadReplica
from app.domain.bulk import Current, Key, Row
from app.domain.caps import check_page
from app.domain.filters import parse_filter
from app.domain.history import Origin
from app.domain.items import StoredItem, WriteMode
from app.domain.time_range import ListOrder, TimeRange
from app.errors import InvalidInput, NotFound
from app.memories.json_guard import check_value
from app.memories.keys import check_key
from app.memories.namespaces import MAX_DEPTH, validate_namespace
from app.memories.values import MAX_TTL_MINUTES, MIN_TTL_MINUTES, TTL_RULE
from app.observability import spans
from app.repositories import bulk_import as bulk_sql
from app.repositories import history as history_sql
from app.repositories import items as item_sql
from app.repositories.connection import AsyncConnection
from app.search import parse_mode
from app.search.engine import ensure_language
from app.store.memory_store import MemoryStore

IndexSpec = bool | list[str] | None
T = TypeVar("T")


class MemoryService:
    def __init__(self, store: MemoryStore, settings: Settings,
                 replica: ReadReplica | None = None) -> None:
        self.store = store
        self.settings = settings
        self.replica = replica
        # The same queries over the replica's pool; nothing writes through it.
        self._replica_store = None if replica is None else MemoryStore(
            replica.pool, store.embedder, store.tuning, store.search_config)

    # -- single items ---------------------------------------------------------------------

    async def create(self, namespace: tuple[str, ...], key: str | None, value: dict[str, Any],
                     *, origin: Origin, ttl: float | None = None,
                     index: IndexSpec = None) -> StoredItem:
        key = key or str(uuid.uuid4())
        await self.put_many([self._put_op(namespace, key, value, ttl, index)], mode="insert",
                            origin=origin)
        return await self.get(namespace, key, fresh=True)

    async def create_many(
        self, entries: list[tuple[tuple[str, ...], str | None, dict[str, Any], float | None,
                                  IndexSpec]],
        *, origin: Origin,
    ) -> list[StoredItem]:
        """Create all or none; texts are embedded together in batches."""
        ops = [self._put_op(ns, key or str(uuid.uuid4()), value, ttl, index)
               for ns, key, value, ttl, index in entries]
        if len({(op.namespace, op.key) for op in ops}) < len(ops):
            raise InvalidInput("the batch names the same namespace and key twice")
        await self.put_many(ops, mode="insert", origin=origin)
        found: dict[tuple[tuple[str, ...], str], StoredItem] = {}
        for namespace in {op.namespace for op in ops}:
            keys = [op.key for op in ops if op.namespace == namespace]
            for key, item in (await self.store.get_items(namespace, keys)).items():
                found[(namespace, key)] = item
        return [found[(op.namespace, op.key)] for op in ops]

    async def replace(self, namespace: tuple[str, ...], key: str, value: dict[str, Any],
                      *, origin: Origin, ttl: float | None = None,
                      index: IndexSpec = None) -> StoredItem:
        await self.put_many([self._put_op(namespace, key, value, ttl, index)], mode="update",
                            origin=origin)
        return await self.get(namespace, key, fresh=True)

    async def put(self, namespace: tuple[str, ...], key: str, value: dict[str, Any],
                  *, origin: Origin, ttl: float | None = None, index: IndexSpec = None) -> None:
        await self.put_many([self._put_op(namespace, key, value, ttl, index)], origin=origin)

    @spans.statement_group("write")  # the embedding of changed texts is a child span
    async def put_many(self, ops: list[PutOp], *, origin: Origin,
                       mode: WriteMode = "upsert") -> None:
        if len(ops) > self.settings.max_batch_items:
            raise InvalidInput(f"{len(ops)} items in one request; at most "
                               f"{self.settings.max_batch_items} are allowed (MAX_BATCH_ITEMS)")
        await self.store.apply_puts(ops, mode, origin)

    @spans.statement_group("write")
    async def apply_plan(self, ops: list[PutOp], *, origin: Origin,
                         also: Callable[[AsyncConnection], Awaitable[None]] | None = None,
                         ) -> None:
        """Write an extraction's plan: puts and deletes its planner validated, in one
        transaction that `also` joins (a job records its result there). No MAX_BATCH_ITEMS:
        the plan's size is bounded by the LLM's answer, not by a client's request."""
        await self.store.apply_puts(ops, origin=origin, also=also)

    @spans.statement_group("get")
    async def find(self, namespace: tuple[str, ...], key: str, *, refresh_ttl: bool = True,
                   fresh: bool = False) -> StoredItem | None:
        """`fresh`: read on the primary, to see every write so far (else the read replica's,
        when there is one)."""
        namespace = validate_namespace(namespace)
        if fresh or self.replica is None:
            found = await self.store.get_items(namespace, [key], refresh_ttl=refresh_ttl)
            return found.get(key)
        item = (await self._read(lambda s: s.get_items(namespace, [key], refresh_ttl=False))
                ).get(key)
        if item is not None and refresh_ttl and item.ttl_minutes is not None:
            # Refreshing a TTL is a write: the primary makes it and answers with the new expiry.
            return (await self.store.get_items(namespace, [key])).get(key)
        return item

    async def get(self, namespace: tuple[str, ...], key: str, *,
                  fresh: bool = False) -> StoredItem:
        item = await self.find(namespace, key, fresh=fresh)
        if item is None:
            raise NotFound(f"no memory with key {key!r} in namespace {'.'.join(namespace)!r}")
        return item

    async def delete(self, namespace: tuple[str, ...], key: str, *, origin: Origin,
                     missing_ok: bool = False) -> None:
        namespace = validate_namespace(namespace)
        if not missing_ok:
            await self.get(namespace, key, fresh=True)
        with spans.statements("delete"):
            await self.store.apply_puts([PutOp(namespace, key, None)], origin=origin)

    # -- collections ----------------------------------------------------------------------

    async def search(self, namespace_prefix: tuple[str, ...], *, query: str | None = None,
                     filter: dict[str, Any] | None = None, limit: int = 10, offset: int = 0,
                     refresh_ttl: bool = False, mode: str | None = None,
                     times: TimeRange = TimeRange(), order: ListOrder | None = None,
                     fresh: bool = False) -> list[StoredItem]:
        """`mode` ("hybrid", "semantic" or "keyword") applies to a search with a query;
        None means SEARCH_DEFAULT_MODE (what doors without a mode field get). `order`
        applies to a listing (no query): a search ranks by score. `fresh`: on the primary."""
        if order is not None and query:
            raise InvalidInput("sort and order apply to a listing without a query; a search "
                               "is ranked by score: drop sort/order or the query")
        prefix = validate_namespace(namespace_prefix, field="namespace_prefix", allow_empty=True)
        self.check_page(limit, offset)
        parse_filter(filter)  # reject bad operators before any embedding work
        config = self.store.search_config  # the server's settings, read once at start
        chosen = parse_mode(mode, config.default_mode)
        order = order or ListOrder()
        if fresh or self.replica is None:
            op = SearchOp(prefix, filter, limit, offset, query or None, refresh_ttl)
            return await self.store.search_items(op, chosen, config, times, order)
        if query and chosen != "semantic":  # rebuilding the keyword index is a write
            await ensure_language(self.store.pool, config.language)
        op = SearchOp(prefix, filter, limit, offset, query or None, False)
        found = await self._read(lambda s: s.search_items(op, chosen, config, times, order))
        if refresh_ttl and found:  # a write: on the primary
            async with self.store.pool.connection() as conn:
                await item_sql.refresh_ttl(conn, found)
        return found

    async def list_namespace(self, namespace: tuple[str, ...], *, limit: int, offset: int,
                             times: TimeRange = TimeRange(),
                             order: ListOrder = ListOrder()) -> list[StoredItem]:
        namespace = validate_namespace(namespace)
        self.check_page(limit, offset)
        return await self._read(lambda s: s.list_items(namespace, limit, offset, times, order))

    @spans.statement_group("list_namespaces")
    async def list_namespaces(self, *, prefix: tuple[str, ...] = (), suffix: tuple[str, ...] = (),
                              max_depth: int | None = None, limit: int = 100,
                              offset: int = 0) -> list[tuple[str, ...]]:
        self.check_page(limit, offset)
        if max_depth is not None and max_depth < 1:
            raise InvalidInput("max_depth must be at least 1")
        conditions = [MatchCondition("prefix", validate_namespace(
            prefix, field="prefix", allow_empty=True))] if prefix else []
        if suffix:
            conditions.append(MatchCondition("suffix", validate_namespace(
                suffix, field="suffix", allow_empty=True)))
        # No namespace is deeper than MAX_DEPTH: a larger max_depth truncates nothing, and
        # this keeps it within what the database's integers hold.
        max_depth = min(max_depth, MAX_DEPTH) if max_depth is not None else None
        op = ListNamespacesOp(tuple(conditions), max_depth, limit, offset)
        return await self._read(lambda s: s.list_namespaces_op(op))

    # -- extraction's reads: what it shows the model, what it would store twice; on the
    # primary, where its plan is written ----------------------------------------------

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """Vectors of these texts, from the embedder the store indexes with."""
        return await self.store.embedder.embed(texts)

    @spans.statement_group("search")
    async def nearest(self, namespace_prefix: tuple[str, ...], vector: list[float],
                      limit: int) -> list[StoredItem]:
        """The items under the prefix nearest an already computed vector (no TTL refresh)."""
        return await self.store.search_vector(vector, SearchOp(namespace_prefix, None, limit, 0))

    @spans.statement_group("match")
    async def existing_values(self, namespace_prefix: tuple[str, ...],
                              values: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Which of these values some item under the prefix already holds, exactly."""
        return await self.store.existing_values(namespace_prefix, values)

    # -- helpers --------------------------------------------------------------------------

    async def _read(self, read: Callable[[MemoryStore], Awaitable[T]]) -> T:
        """A plain read: on the replica while it answers (app/db/read_pool.py), else here."""
        if self.replica is None or self._replica_store is None:
            return await read(self.store)
        return await self.replica.run(read, self._replica_store, self.store)

    def _put_op(self, namespace: tuple[str, ...], key: str, value: dict[str, Any],
                ttl: float | None, index: IndexSpec) -> PutOp:
        namespace = validate_namespace(namespace)
        check_key(namespace, key)
        if not isinstance(value, dict):
            raise InvalidInput("value must be a JSON object")
        check_value(value, "value", max_depth=self.settings.max_value_depth)
        if ttl is not None and not MIN_TTL_MINUTES <= ttl <= MAX_TTL_MINUTES:
            raise InvalidInput(TTL_RULE)
        return PutOp(namespace, key, value, None if index is True else index, ttl)

    def check_page(self, limit: int, offset: int) -> None:
        check_page(self.settings, limit, offset)

    # -- the import's batches: one statement each, history and keyword index by the same
    # triggers as every other write (app/lifecycle/import_pipeline.py) -------------------

    @spans.statement_group("read")
    async def stored_rows(self, keys: list[Key]) -> dict[Key, Current]:
        """What these keys hold now: value, TTL, indexing and the text of their vector."""
        async with self.store.pool.connection() as conn:
            return await bulk_sql.current(conn, keys)

    @spans.statement_group("write")
    async def write_rows(self, rows: list[Row], origin: Origin) -> None:
        """One batch in one transaction: all of it or none (a cancellation rolls it back)."""
        async with self.store.pool.connection() as conn, conn.transaction():
            await history_sql.set_origin(conn, origin)
            await bulk_sql.write(conn, rows)
