"""SQL for Idempotency-Key records (migration 0009)."""

import uuid
from dataclasses import dataclass

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb


@dataclass(frozen=True)
class Scope:
    credential: str  # hash of the presented credential, '' without one
    method: str
    path: str
    key: str


@dataclass
class IdempotencyRecord:
    request_hash: str
    status: int | None  # None: the first attempt is still in flight
    headers: list[list[str]] | None
    body: bytes | None


_PK = "scope = %s AND method = %s AND path = %s AND key = %s"


def _pk(scope: Scope) -> list[str]:
    return [scope.credential, scope.method, scope.path, scope.key]


async def claim(conn: AsyncConnection, scope: Scope, request_hash: str, attempt: uuid.UUID,
                lock_seconds: float, ttl_seconds: float) -> bool:
    """Record this attempt as in flight; False when a live record holds the key. An expired
    record, or an in-flight one with the same body whose lock ran out (its server died), is
    replaced."""
    cur = await conn.execute(
        """
        INSERT INTO idempotency_keys AS k (scope, method, path, key, request_hash, attempt,
                                           locked_until, expires_at)
        VALUES (%s, %s, %s, %s, %s, %s, now() + make_interval(secs => %s),
                now() + make_interval(secs => %s))
        ON CONFLICT (scope, method, path, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, attempt = EXCLUDED.attempt,
               status = NULL, headers = NULL, body = NULL, created_at = now(),
               locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at
         WHERE k.expires_at <= now()
            OR (k.status IS NULL AND k.locked_until <= now()
                AND k.request_hash = EXCLUDED.request_hash)
        RETURNING 1
        """,
        [*_pk(scope), request_hash, attempt, lock_seconds, ttl_seconds])
    return await cur.fetchone() is not None


async def get(conn: AsyncConnection, scope: Scope) -> IdempotencyRecord | None:
    cur = await conn.execute(
        f"SELECT request_hash, status, headers, body FROM idempotency_keys WHERE {_PK}",
        _pk(scope))
    row = await cur.fetchone()
    return IdempotencyRecord(**row) if row else None


async def complete(conn: AsyncConnection, scope: Scope, attempt: uuid.UUID, status: int,
                   headers: list[list[str]], body: bytes) -> None:
    await conn.execute(
        f"UPDATE idempotency_keys SET status = %s, headers = %s, body = %s "
        f"WHERE {_PK} AND attempt = %s",
        [status, Jsonb(headers), body, *_pk(scope), attempt])


async def release(conn: AsyncConnection, scope: Scope, attempt: uuid.UUID) -> None:
    await conn.execute(f"DELETE FROM idempotency_keys WHERE {_PK} AND attempt = %s",
                       [*_pk(scope), attempt])


async def delete_expired(conn: AsyncConnection, limit: int) -> int:
    cur = await conn.execute(
        """
        DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
            SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT %s))
        """, [limit])
    return cur.rowcount
