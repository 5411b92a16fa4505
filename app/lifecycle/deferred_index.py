"""A large import into a small table writes without HNSW upkeep and builds the index after.

Inserting into the graph row by row cost more than embedding (bench/PORTABILITY.md); one
build at the end is a fraction of it. The index is dropped and rebuilt CONCURRENTLY, so
readers keep working (without it, vector search is exact: slower, still correct), by the
one import holding the advisory lock. It is rebuilt whatever ends the import, even a
cancellation; if the process dies first, the next server start (or import) rebuilds it."""

import asyncio
import logging
from contextlib import AbstractAsyncContextManager

from app.repositories import vector_index as index_sql
from app.repositories.connection import AsyncConnection, AsyncConnectionPool

log = logging.getLogger(__name__)

DEFER_MIN_LINES = 2_000  # below this, upkeep costs about what the build does


class DeferredIndex:
    """Use as `async with`; call `maybe_defer(lines)` before each batch is written."""

    def __init__(self, pool: AsyncConnectionPool, min_lines: int = DEFER_MIN_LINES) -> None:
        self.pool = pool
        self.min_lines = min_lines
        self.deferred = False
        self._hold: AbstractAsyncContextManager[AsyncConnection] | None = None
        self._conn: AsyncConnection | None = None
        self._existing = 0

    async def __aenter__(self) -> "DeferredIndex":
        hold = self.pool.connection()
        conn = await hold.__aenter__()
        try:
            if await index_sql.try_lock(conn):
                self._hold, self._conn = hold, conn
                self._existing = await index_sql.vector_count(conn, cap=1_000_000)
                # An import killed while its index was set aside: this one rebuilds it.
                self.deferred = bool(await index_sql.saved(conn))
                return self
        except BaseException:
            await hold.__aexit__(None, None, None)
            raise
        await hold.__aexit__(None, None, None)  # another import holds it: no deferring
        return self

    async def maybe_defer(self, lines: int) -> None:
        """Set the index aside once the import writes at least as many lines as the table
        held."""
        if self._conn is None or self.deferred or lines < max(self.min_lines, self._existing):
            return
        await index_sql.set_aside(self._conn)
        self.deferred = True

    async def __aexit__(self, *exc: object) -> None:
        if self._conn is None:
            return
        # Shielded: a cancelled import (a client gone, a shutdown) still rebuilds the index.
        await asyncio.shield(asyncio.ensure_future(self._finish()))

    async def _finish(self) -> None:
        assert self._conn is not None and self._hold is not None
        try:
            if self.deferred:
                await index_sql.rebuild(self._conn)
        except Exception:
            log.exception("could not rebuild the vector index after an import; the next "
                          "import rebuilds it (searches are exact meanwhile)")
        finally:
            try:
                await index_sql.unlock(self._conn)
            except Exception:  # a broken connection: the lock went with its session
                log.warning("could not release the import's advisory lock", exc_info=True)
            finally:
                await self._hold.__aexit__(None, None, None)
                self._conn = None


async def rebuild_left_aside(pool: AsyncConnectionPool) -> None:
    """At a server's start: rebuild an index an import set aside and never rebuilt (its
    process was killed), so searches do not stay exact until the next import. An import
    holding the lock rebuilds it itself."""
    try:
        async with pool.connection() as conn:
            if not await index_sql.saved(conn):
                return
        async with DeferredIndex(pool):
            pass  # entering under the lock finds the marker; leaving rebuilds
    except Exception:  # the database away at start: the next import or start rebuilds it
        log.warning("could not check for a vector index left aside by an import",
                    exc_info=True)
