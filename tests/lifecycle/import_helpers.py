"""Helpers for the import tests: an embedder that lets a test act between batches, and
what the database holds."""

import json
from collections.abc import Awaitable, Callable

import psycopg

from app.lifecycle.transfer import TransferService
from app.memories.service import MemoryService
from app.store.memory_store import MemoryStore

NS = ["memories", "imp"]
Hook = Callable[[int], Awaitable[None]]


class HookedEmbedder:
    """The real model, with `hook(call number)` awaited before each embedding call."""

    def __init__(self, inner, hook: Hook | None = None) -> None:
        self.inner, self.hook = inner, hook
        self.model, self.dims, self.calls, self.texts = inner.model, inner.dims, 0, 0

    async def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        self.calls += 1
        self.texts += len(texts)
        if self.hook is not None:
            await self.hook(self.calls)
        return await self.inner.embed(texts)

    async def aclose(self) -> None:
        pass


def transfer(app, embedder, hook: Hook | None = None, *, defer_after: int = 20
             ) -> tuple[TransferService, HookedEmbedder]:
    pool = app.state.runtime.pool
    hooked = HookedEmbedder(embedder, hook)
    store = MemoryStore(pool, hooked)
    return TransferService(pool, MemoryService(store, app.state.runtime.settings),
                           defer_index_min_lines=defer_after), hooked


async def lines_of(rows: list[dict | str]):
    for row in rows:
        yield row if isinstance(row, str) else json.dumps(row)


def facts(n: int, start: int = 0, ns=NS) -> list[dict]:
    return [{"namespace": ns, "key": f"f{i}", "value": {"content": f"Imported fact {i} "
                                                        f"about topic {i % 7}"}}
            for i in range(start, start + n)]


def hnsw_indexes(url: str) -> dict[str, bool]:
    """Name -> valid, of the HNSW indexes on store_vectors."""
    with psycopg.connect(url) as conn:
        return dict(conn.execute(
            "SELECT c.relname, i.indisvalid FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "WHERE i.indrelid = 'store_vectors'::regclass AND am.amname = 'hnsw'").fetchall())


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("store", "store_vectors", "store_keywords", "memory_history")}


def lock_free(url: str) -> bool:
    """Nobody holds the import's advisory lock."""
    with psycopg.connect(url) as conn:
        return not conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                "AND objid = 7364210").fetchone()[0]
