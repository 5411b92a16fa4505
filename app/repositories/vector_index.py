"""SQL to set the vectors' ANN (HNSW) indexes aside during a large load and build them
after it, without blocking readers: DROP and CREATE INDEX CONCURRENTLY (autocommit
connections only). Their definitions are saved in service_meta before the drop, so an
import killed part way leaves what to rebuild; the advisory lock keeps two imports from
dropping and building at once."""

from psycopg import sql

from app.repositories import lifecycle as meta_sql
from app.repositories.connection import AsyncConnection, one

LOCK = 7_364_210  # advisory lock key: one import at a time sets the index aside
MARKER = "import_deferred_indexes"
# The graph is built in memory when it fits (pgvector switches to a far slower on-disk
# build past maintenance_work_mem, 64MB by default: ~25k 384-dim vectors). Sized to the
# table (a parallel build reserves all of it in shared memory up front), within a cap.
BUILD_MEMORY_CAP_KB = 2 * 1024 * 1024


async def try_lock(conn: AsyncConnection) -> bool:
    cur = await conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (LOCK,))
    return (await one(cur))["ok"]


async def unlock(conn: AsyncConnection) -> None:
    await conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK,))


async def vector_count(conn: AsyncConnection, cap: int) -> int:
    """Vectors in the table, counted up to `cap` (enough to compare with an import)."""
    cur = await conn.execute(
        "SELECT count(*) AS n FROM (SELECT 1 FROM store_vectors LIMIT %s) v", (cap,))
    return (await one(cur))["n"]


async def hnsw_indexes(conn: AsyncConnection) -> dict[str, str]:
    """Name -> CREATE INDEX statement of each HNSW index on store_vectors."""
    cur = await conn.execute(
        """
        SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_am am ON am.oid = c.relam
        WHERE i.indrelid = to_regclass('store_vectors') AND am.amname = 'hnsw'
        ORDER BY c.relname
        """)
    return {r["name"]: r["definition"] for r in await cur.fetchall()}


async def saved(conn: AsyncConnection) -> dict[str, str]:
    """Indexes an import set aside and has not rebuilt yet."""
    return await meta_sql.get_meta(conn, MARKER) or {}


async def set_aside(conn: AsyncConnection) -> dict[str, str]:
    """Save the HNSW indexes' definitions, then drop them (searches meanwhile are exact)."""
    indexes = {**await saved(conn), **await hnsw_indexes(conn)}
    await meta_sql.set_meta(conn, MARKER, indexes)
    for name in indexes:
        await conn.execute(sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}")
                           .format(sql.Identifier(name)))
    return indexes


async def rebuild(conn: AsyncConnection) -> None:
    """Build every saved index that is missing (or left invalid by an interrupted build),
    then forget them."""
    indexes = await saved(conn)
    if not indexes:
        return
    invalid = await _invalid(conn, list(indexes))
    await conn.execute("SELECT set_config('maintenance_work_mem', %s, false)",
                       (f"{await _build_memory_kb(conn)}kB",))
    try:
        for name, definition in indexes.items():
            if name in invalid:
                await conn.execute(sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}")
                                   .format(sql.Identifier(name)))
            await conn.execute(_concurrently(definition))
    finally:
        await conn.execute("RESET maintenance_work_mem")
    await meta_sql.delete_meta(conn, MARKER)


async def _build_memory_kb(conn: AsyncConnection) -> int:
    """The table's vectors with their graph links (~1 kB each), never below the setting."""
    cur = await conn.execute(
        """
        SELECT greatest(pg_size_bytes(current_setting('maintenance_work_mem')),
                        (SELECT count(*) FROM store_vectors)
                        * (4 * (SELECT greatest(atttypmod, 1) FROM pg_attribute
                                WHERE attrelid = 'store_vectors'::regclass
                                  AND attname = 'embedding') + 1024)) / 1024 AS kb
        """)
    return min(int((await one(cur))["kb"]), BUILD_MEMORY_CAP_KB)


async def _invalid(conn: AsyncConnection, names: list[str]) -> set[str]:
    cur = await conn.execute(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.relname = ANY(%s) AND NOT i.indisvalid", (names,))
    return {r["relname"] for r in await cur.fetchall()}


def _concurrently(definition: str) -> sql.SQL:
    """pg_get_indexdef's 'CREATE INDEX name ON ...', built concurrently if missing."""
    head = "CREATE INDEX "
    if not definition.startswith(head):
        raise ValueError(f"unexpected index definition: {definition}")
    return sql.SQL("CREATE INDEX CONCURRENTLY IF NOT EXISTS " + definition[len(head):])
