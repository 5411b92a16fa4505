"""SQL for API keys: only hashes are stored; a revoked key stays listed, marked revoked."""

import uuid
from typing import Any

from psycopg.types.json import Jsonb

from app.domain.keys import KeyRecord
from app.repositories.connection import AsyncConnection, one


async def insert_key(conn: AsyncConnection, *, key_id: uuid.UUID, name: str,
                     identity: str | None, visible_prefix: str, key_hash: str,
                     grants: list[dict[str, Any]], admin: bool) -> KeyRecord:
    cur = await conn.execute(
        "INSERT INTO api_keys (id, name, identity, visible_prefix, key_hash, grants, admin)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING *",
        (key_id, name, identity, visible_prefix, key_hash, Jsonb(grants), admin))
    return KeyRecord(**await one(cur))


async def active_by_hash(conn: AsyncConnection, key_hash: str) -> KeyRecord | None:
    cur = await conn.execute(
        "SELECT * FROM api_keys WHERE key_hash = %s AND revoked_at IS NULL", (key_hash,))
    row = await cur.fetchone()
    return KeyRecord(**row) if row else None


async def any_active(conn: AsyncConnection) -> bool:
    cur = await conn.execute(
        "SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL) AS found")
    return (await one(cur))["found"]


async def list_keys(conn: AsyncConnection, *, include_revoked: bool) -> list[KeyRecord]:
    cur = await conn.execute(
        "SELECT * FROM api_keys WHERE %s OR revoked_at IS NULL ORDER BY created_at, id",
        (include_revoked,))
    return [KeyRecord(**r) for r in await cur.fetchall()]


async def revoke(conn: AsyncConnection, key_id: uuid.UUID) -> KeyRecord | None:
    """Revoke once: a second revoke keeps the first time."""
    cur = await conn.execute(
        "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = %s"
        " RETURNING *", (key_id,))
    row = await cur.fetchone()
    return KeyRecord(**row) if row else None


async def touch(conn: AsyncConnection, key_id: uuid.UUID) -> None:
    await conn.execute("UPDATE api_keys SET last_used_at = now() WHERE id = %s", (key_id,))
