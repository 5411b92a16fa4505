"""SQL for re-embedding every vector with a new model, resumably, then swapping it in."""

from psycopg import sql

from app.repositories.connection import AsyncConnection, one
from app.repositories.vectors import VectorArray, ready

# The store's own HNSW index; recreated with the same name and parameters after the swap.
INDEX = "store_vectors_embedding_idx"


async def prepare(conn: AsyncConnection, dims: int) -> None:
    """A shadow column for the new vectors, and the text each was computed from."""
    await conn.execute(sql.SQL(
        "ALTER TABLE store_vectors ADD COLUMN IF NOT EXISTS embedding_next vector({}), "
        "ADD COLUMN IF NOT EXISTS reindexed_text text").format(sql.Literal(dims)))


async def discard(conn: AsyncConnection) -> None:
    await conn.execute("ALTER TABLE store_vectors DROP COLUMN IF EXISTS embedding_next, "
                       "DROP COLUMN IF EXISTS reindexed_text")


async def count(conn: AsyncConnection) -> tuple[int, int]:
    """(vectors already re-embedded, vectors in all)."""
    cur = await conn.execute(
        "SELECT count(*) FILTER (WHERE embedding_next IS NOT NULL "
        "AND reindexed_text IS NOT DISTINCT FROM text) AS done, count(*) AS total "
        "FROM store_vectors")
    row = await one(cur)
    return row["done"], row["total"]


async def pending(conn: AsyncConnection, limit: int) -> list[dict]:
    """Vectors not yet re-embedded, or whose text changed since (a write during the run).
    Rows the plain store wrote have no text column value: their item's value is returned."""
    cur = await conn.execute(
        """
        SELECT sv.prefix, sv.key, sv.field_name, sv.text, s.value
        FROM store_vectors sv JOIN store s ON s.prefix = sv.prefix AND s.key = sv.key
        WHERE sv.embedding_next IS NULL OR sv.reindexed_text IS DISTINCT FROM sv.text
        ORDER BY sv.prefix, sv.key, sv.field_name LIMIT %s
        """,
        (limit,))
    return await cur.fetchall()


async def store_next(conn: AsyncConnection, rows: list[dict], texts: list[str],
                     vectors: list[list[float]]) -> None:
    if not rows:
        return
    await ready(conn)
    await conn.execute(
        """
        UPDATE store_vectors sv
        SET embedding_next = u.embedding, reindexed_text = u.text, text = u.text
        FROM unnest(%s::text[], %s::text[], %s::text[], %s::vector[], %s::text[])
             AS u(prefix, key, field_name, embedding, text)
        WHERE sv.prefix = u.prefix AND sv.key = u.key AND sv.field_name = u.field_name
        """,
        ([r["prefix"] for r in rows], [r["key"] for r in rows], [r["field_name"] for r in rows],
         VectorArray(vectors), texts))


async def swap(conn: AsyncConnection) -> None:
    """Replace the old vectors and rebuild the ANN index (caller holds the lock)."""
    await conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(INDEX)))
    await conn.execute("ALTER TABLE store_vectors DROP COLUMN embedding")
    await conn.execute("ALTER TABLE store_vectors RENAME COLUMN embedding_next TO embedding")
    await conn.execute("ALTER TABLE store_vectors DROP COLUMN reindexed_text")
    await conn.execute(sql.SQL(
        "CREATE INDEX {} ON store_vectors USING hnsw (embedding vector_cosine_ops) "
        "WITH (m=16, ef_construction=64)").format(sql.Identifier(INDEX)))


async def lock_table(conn: AsyncConnection) -> None:
    """Hold off writers until the swap commits."""
    await conn.execute("LOCK TABLE store_vectors IN ACCESS EXCLUSIVE MODE")
