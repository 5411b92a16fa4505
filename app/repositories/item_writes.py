"""SQL that writes items and brings their vectors in step, in one statement.

One statement, not three (the rows, the stale vectors, the new vectors): each is a round
trip, Python time in psycopg and a Postgres backend woken, the largest share of the
server's CPU under a mixed load (bench/PROFILE.md). The vectors' parts join the rows the
statement wrote, so a key `insert` refused or `update` did not find gets none.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from psycopg.types.json import Jsonb

from app.domain.history import Origin
from app.domain.items import WriteMode
from app.errors import Conflict, NotFound
from app.repositories import history
from app.repositories.conditions import ns_text
from app.repositories.connection import AsyncConnection, one
from app.repositories.items import VECTOR_FIELD
from app.repositories.vectors import VectorArray, ready


@dataclass
class ItemWrite:
    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any]
    ttl_minutes: float | None
    text: str | None  # the text to index; None leaves the item out of search
    embedding: list[float] | None = None  # set when the text changed and was embedded


async def indexed_texts(
    conn: AsyncConnection, keys: list[tuple[tuple[str, ...], str]]
) -> dict[tuple[str, str], str | None]:
    """The text each existing item's vector was computed from."""
    if not keys:
        return {}
    cur = await conn.execute(
        """
        SELECT sv.prefix, sv.key, sv.text FROM store_vectors sv
        JOIN unnest(%s::text[], %s::text[]) AS k(prefix, key)
          ON sv.prefix = k.prefix AND sv.key = k.key
        WHERE sv.field_name = %s
        """,
        ([ns_text(n) for n, _ in keys], [k for _, k in keys], VECTOR_FIELD),
    )
    return {(r["prefix"], r["key"]): r["text"] for r in await cur.fetchall()}


_INSERT = """
    INSERT INTO store (prefix, key, value, created_at, updated_at, expires_at, ttl_minutes)
    SELECT u.prefix, u.key, u.value, now(), now(), now() + u.ttl * interval '1 minute', u.ttl
    FROM u
    ON CONFLICT (prefix, key) DO {conflict}
    RETURNING prefix, key
"""
_ROWS = {
    "upsert": _INSERT.format(conflict="""UPDATE
        SET value = EXCLUDED.value, updated_at = now(),
            expires_at = EXCLUDED.expires_at, ttl_minutes = EXCLUDED.ttl_minutes"""),
    "insert": _INSERT.format(conflict="NOTHING"),
    "update": """
        UPDATE store s SET value = u.value, updated_at = now(),
            expires_at = now() + u.ttl * interval '1 minute', ttl_minutes = u.ttl
        FROM u WHERE s.prefix = u.prefix AND s.key = u.key
        RETURNING s.prefix, s.key
    """,
}
# Vectors that no longer describe their item: indexing turned off, or rows another writer
# (the plain store) left under other field names.
_STALE = """
    DELETE FROM store_vectors sv USING written w JOIN u ON u.prefix = w.prefix AND u.key = w.key
    WHERE sv.prefix = w.prefix AND sv.key = w.key
      AND (NOT u.indexed OR sv.field_name <> %(field)s)
"""
_VECTORS = """
    INSERT INTO store_vectors (prefix, key, field_name, embedding, text)
    SELECT v.prefix, v.key, %(field)s, v.embedding, v.text
    FROM unnest(%(v_prefixes)s::text[], %(v_keys)s::text[], %(v_embeddings)s::vector[],
                %(v_texts)s::text[]) AS v(prefix, key, embedding, text)
    WHERE EXISTS (SELECT 1 FROM written w WHERE w.prefix = v.prefix AND w.key = v.key)
    ON CONFLICT (prefix, key, field_name) DO UPDATE
    SET embedding = EXCLUDED.embedding, text = EXCLUDED.text, updated_at = now()
"""


@cache
def _statement(mode: WriteMode, vectors: bool, origin: bool) -> str:
    return (
        "WITH u AS (SELECT * FROM unnest(%(prefixes)s::text[], %(keys)s::text[], "
        "%(values)s::jsonb[], %(ttls)s::float8[], %(indexed)s::bool[]) "
        "AS u(prefix, key, value, ttl, indexed)), "
        f"written AS ({_ROWS[mode]}), stale AS ({_STALE})"
        + (f", vectors AS ({_VECTORS})" if vectors else "")
        + f" SELECT {history.ORIGIN + ', ' if origin else ''}"
        "ARRAY(SELECT ARRAY[prefix, key] FROM written) AS written")


async def write_items(conn: AsyncConnection, writes: list[ItemWrite],
                      mode: WriteMode = "upsert", origin: Origin | None = None) -> None:
    """Write items and their vectors in one statement.

    `insert` refuses keys that exist (409) and `update` keys that do not (404): the caller
    holds the transaction that the raise rolls back. `origin`: the statement names the
    writer itself, for an upsert run as its own transaction (autocommit): set_config's
    `true` then holds for this statement, whose history triggers fire at its end.
    """
    if not writes:
        return
    embedded = [w for w in writes if w.embedding is not None]
    params: dict[str, Any] = {
        "prefixes": [ns_text(w.namespace) for w in writes], "keys": [w.key for w in writes],
        "values": [Jsonb(w.value) for w in writes], "ttls": [w.ttl_minutes for w in writes],
        "indexed": [w.text is not None for w in writes], "field": VECTOR_FIELD,
        **(history.origin_params(origin) if origin else {}),
    }
    if embedded:
        await ready(conn)
        params |= {"v_prefixes": [ns_text(w.namespace) for w in embedded],
                   "v_keys": [w.key for w in embedded], "v_texts": [w.text for w in embedded],
                   "v_embeddings": VectorArray([w.embedding for w in embedded
                                                if w.embedding is not None])}
    cur = await conn.execute(_statement(mode, bool(embedded), origin is not None), params)
    written = {(prefix, key) for prefix, key in (await one(cur))["written"]}
    missing = [w.key for w in writes if (ns_text(w.namespace), w.key) not in written]
    if missing:
        if mode == "insert":
            raise Conflict(f"a memory with key {missing[0]!r} already exists in this "
                           "namespace; replace it with PUT or choose another key")
        raise NotFound(f"no memory with key {missing[0]!r} in this namespace")
