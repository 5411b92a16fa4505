"""SQL for an import batch: what its keys hold now, and one bulk write of the batch.

The write carries the lines' own timestamps in the upsert itself (not a second UPDATE of
every row), skips the stale-vector sweep for keys that did not exist, and sends vectors as
one binary `vector[]` built by numpy (as text, 384 floats took ~0.6 ms a vector; as a float
list psycopg dumps, ~0.25 ms: Python time that holds the GIL and takes a core from the
embedder running in its thread)."""

from psycopg.types.json import Jsonb

from app.domain.bulk import Current, Key, Row
from app.repositories.conditions import ns_text
from app.repositories.connection import AsyncConnection
from app.repositories.items import VECTOR_FIELD
from app.repositories.vectors import VectorArray, ready


async def current(conn: AsyncConnection, keys: list[Key]) -> dict[Key, Current]:
    """What the existing items among these keys hold, in one query."""
    if not keys:
        return {}
    cur = await conn.execute(
        """
        SELECT s.prefix, s.key, s.value, s.ttl_minutes,
               EXISTS (SELECT 1 FROM store_vectors sv
                       WHERE sv.prefix = s.prefix AND sv.key = s.key) AS indexed,
               (SELECT sv.text FROM store_vectors sv WHERE sv.prefix = s.prefix
                  AND sv.key = s.key AND sv.field_name = %s) AS text
        FROM store s JOIN unnest(%s::text[], %s::text[]) AS k(prefix, key)
          ON s.prefix = k.prefix AND s.key = k.key
        """,
        (VECTOR_FIELD, [ns_text(n) for n, _ in keys], [k for _, k in keys]))
    return {(tuple(r["prefix"].split(".")), r["key"]):
            Current(r["value"], r["ttl_minutes"], r["indexed"], r["text"])
            for r in await cur.fetchall()}


# The values go as one JSON array, not a `jsonb[]` of 500 Jsonb: psycopg dumps that element
# by element (~40 ms of Python a batch, holding the GIL the embedder's thread needs), the
# array in one json.dumps (~1 ms). ROWS FROM zips it with the other arrays in order.
_UPSERT = """
    INSERT INTO store (prefix, key, value, created_at, updated_at, expires_at, ttl_minutes)
    SELECT u.prefix, u.key, u.value, coalesce(u.created_at, now()),
           coalesce(u.updated_at, now()), now() + u.ttl * interval '1 minute', u.ttl
    FROM ROWS FROM (unnest(%s::text[]), unnest(%s::text[]), jsonb_array_elements(%s::jsonb),
                    unnest(%s::float8[]), unnest(%s::timestamptz[]),
                    unnest(%s::timestamptz[])) AS u(prefix, key, value, ttl, created_at,
                                                    updated_at)
    ON CONFLICT (prefix, key) DO UPDATE
    SET value = EXCLUDED.value, {created}updated_at = EXCLUDED.updated_at,
        expires_at = EXCLUDED.expires_at, ttl_minutes = EXCLUDED.ttl_minutes
"""
# A line with its own times keeps them; one without keeps the item's created_at.
_UPSERT_STAMPED = _UPSERT.format(created="created_at = EXCLUDED.created_at, ")
_UPSERT_UNSTAMPED = _UPSERT.format(created="")


async def write(conn: AsyncConnection, rows: list[Row]) -> None:
    """Upsert the rows and bring their vectors in step; the caller holds the transaction."""
    for statement, group in ((_UPSERT_STAMPED, [r for r in rows if r.created_at]),
                             (_UPSERT_UNSTAMPED, [r for r in rows if not r.created_at])):
        if group:
            await conn.execute(statement, (
                [ns_text(r.namespace) for r in group], [r.key for r in group],
                Jsonb([r.value for r in group]), [r.ttl for r in group],
                [r.created_at for r in group],
                [(r.updated_at or r.created_at) if r.created_at else None for r in group]))
    existed = [r for r in rows if r.existed]
    if existed:  # vectors that no longer describe the item (a new key has none)
        await conn.execute(
            """
            DELETE FROM store_vectors sv
            USING unnest(%s::text[], %s::text[], %s::bool[]) AS u(prefix, key, indexed)
            WHERE sv.prefix = u.prefix AND sv.key = u.key
              AND (NOT u.indexed OR sv.field_name <> %s)
            """,
            ([ns_text(r.namespace) for r in existed], [r.key for r in existed],
             [r.text is not None for r in existed], VECTOR_FIELD))
    embedded = [r for r in rows if r.embedding is not None]
    if embedded:
        await _write_vectors(conn, embedded)


async def _write_vectors(conn: AsyncConnection, rows: list[Row]) -> None:
    await ready(conn)
    vectors = [r.embedding for r in rows if r.embedding is not None]
    assert len(vectors) == len(rows), "a row without its vector would shift the others'"
    await conn.execute(
        """
        INSERT INTO store_vectors (prefix, key, field_name, embedding, text)
        SELECT u.prefix, u.key, %s, u.embedding, u.text
        FROM unnest(%s::text[], %s::text[], %s::text[], %s::vector[])
             AS u(prefix, key, text, embedding)
        ON CONFLICT (prefix, key, field_name) DO UPDATE
        SET embedding = EXCLUDED.embedding, text = EXCLUDED.text, updated_at = now()
        """,
        (VECTOR_FIELD, [ns_text(r.namespace) for r in rows], [r.key for r in rows],
         [r.text for r in rows],
         VectorArray(vectors)))
