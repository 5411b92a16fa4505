"""SQL for the migration ledger and the advisory lock that serialises schema changes."""

import asyncio
from typing import Any

from app.repositories.connection import AsyncConnection

# One lock for every process that migrates this database ("memo" in ASCII).
MIGRATION_LOCK_ID = 0x6D656D6F


async def acquire_lock(conn: AsyncConnection, poll_seconds: float = 0.2) -> None:
    """Poll rather than block: a session waiting inside pg_advisory_lock() holds a
    transaction open, and the store's CREATE INDEX CONCURRENTLY in the lock holder would
    wait for it forever."""
    while True:
        cur = await conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (MIGRATION_LOCK_ID,))
        if _first(await cur.fetchone()):
            return
        await asyncio.sleep(poll_seconds)


async def release_lock(conn: AsyncConnection) -> None:
    await conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_ID,))


async def ensure_ledger(conn: AsyncConnection) -> None:
    await conn.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )


async def applied_versions(conn: AsyncConnection) -> set[int]:
    exists = await conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL AS ok")
    row = await exists.fetchone()
    if not row or not _first(row):
        return set()
    cur = await conn.execute("SELECT version FROM schema_migrations")
    return {_first(r) for r in await cur.fetchall()}


async def apply(conn: AsyncConnection, version: int, name: str, sql: str) -> None:
    """Run one migration file and record it, atomically."""
    async with conn.transaction():
        await conn.execute(sql)
        await conn.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name)
        )


def _first(row: Any) -> Any:
    return next(iter(row.values())) if isinstance(row, dict) else row[0]
