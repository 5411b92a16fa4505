"""Re-embed every memory with the configured model, resumably, then swap the vectors in."""

from collections.abc import Callable

from app.lifecycle.embedding_model import META_KEY, describe
from app.repositories import lifecycle as lifecycle_sql
from app.repositories import reindex as reindex_sql
from app.repositories.connection import AsyncConnectionPool
from app.store.embedders import Embedder
from app.store.text import indexed_text

STATE_KEY = "reindex"

Progress = Callable[[int, int], None]


class ReindexService:
    def __init__(self, pool: AsyncConnectionPool, embedder: Embedder,
                 batch_size: int = 256) -> None:
        self.pool = pool
        self.embedder = embedder
        self.batch_size = batch_size

    async def reindex(self, progress: Progress | None = None) -> dict:
        """Vectors go to a shadow column batch by batch, so an interrupted run resumes where it
        stopped; searches keep using the old vectors until one transaction swaps them."""
        target = describe(self.embedder)
        async with self.pool.connection() as conn, conn.transaction():
            state = await lifecycle_sql.get_meta(conn, STATE_KEY)
            if state is not None and state != target:
                await reindex_sql.discard(conn)  # an earlier run aimed at another model
            await reindex_sql.prepare(conn, target["dims"])
            await lifecycle_sql.set_meta(conn, STATE_KEY, target)
        while await self._step(progress):
            pass
        async with self.pool.connection() as conn, conn.transaction():
            await reindex_sql.lock_table(conn)
            while rows := await reindex_sql.pending(conn, self.batch_size):
                await self._embed(conn, rows)  # what was written while we ran
            done, total = await reindex_sql.count(conn)
            await reindex_sql.swap(conn)
            await lifecycle_sql.set_meta(conn, META_KEY, target)
            await lifecycle_sql.delete_meta(conn, STATE_KEY)
        if progress:
            progress(total, total)
        return {**target, "vectors": total}

    async def _step(self, progress: Progress | None) -> bool:
        async with self.pool.connection() as conn:
            rows = await reindex_sql.pending(conn, self.batch_size)
            if rows:
                await self._embed(conn, rows)
            if progress:
                progress(*await reindex_sql.count(conn))
        return bool(rows)

    async def _embed(self, conn, rows: list[dict]) -> None:
        texts = [r["text"] or indexed_text(r["value"]) for r in rows]
        vectors = await self.embedder.embed(texts)
        await reindex_sql.store_next(conn, rows, texts, vectors)
