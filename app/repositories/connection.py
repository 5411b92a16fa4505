"""The connection and pool types every layer passes down. Our pool opens connections with
dict rows (app/db/pool.py); psycopg's own names default to tuple rows, so code that reads
row["column"] is typed with these instead."""

from psycopg import AsyncConnection as PsycopgConnection
from psycopg import AsyncCursor as PsycopgCursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool as PsycopgPool

AsyncConnection = PsycopgConnection[DictRow]
AsyncConnectionPool = PsycopgPool[AsyncConnection]


async def one(cursor: PsycopgCursor[DictRow]) -> DictRow:
    """The row a statement always returns (an aggregate, INSERT ... RETURNING)."""
    row = await cursor.fetchone()
    if row is None:
        raise RuntimeError("the statement returned no row")
    return row
