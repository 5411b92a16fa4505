"""Connection pools: one shared pool for the store and repositories."""

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool


async def open_pool(url: str, *, min_size: int, max_size: int) -> AsyncConnectionPool:
    # The store expects autocommit connections with dict rows and no server-side prepares
    # (prepared statements break behind pgbouncer-style poolers).
    pool = AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        kwargs={"autocommit": True, "prepare_threshold": None, "row_factory": dict_row},
        open=False,
    )
    await pool.open(wait=True, timeout=30)
    return pool
