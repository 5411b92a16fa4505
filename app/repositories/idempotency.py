"""SQL for Idempotency-Key records (migrations 0009, 0010)."""

import uuid
from collections.abc import Set

from psycopg import sql
from psycopg.types.json import Jsonb

from app.domain.idempotency import IdempotencyRecord, Scope
from app.repositories.conditions import prefix_scope
from app.repositories.connection import AsyncConnection, one

_PK = "scope = %s AND method = %s AND path = %s AND key = %s"


def _pk(scope: Scope) -> list[str]:
    return [scope.credential, scope.method, scope.path, scope.key]


def _names(namespaces: Set[str] | None) -> list[str] | None:
    return None if namespaces is None else sorted(namespaces)


async def claim(conn: AsyncConnection, scope: Scope, request_hash: str, attempt: uuid.UUID,
                lock_seconds: float, ttl_seconds: float, namespaces: Set[str] | None) -> bool:
    """Record this attempt as in flight, with the dotted namespaces its request names (None:
    unknown); False when a live record holds the key. An expired record, or an in-flight one
    with the same body whose lock ran out (its server died), is replaced."""
    cur = await conn.execute(
        """
        INSERT INTO idempotency_keys AS k (scope, method, path, key, request_hash, attempt,
                                           locked_until, expires_at, namespaces)
        VALUES (%s, %s, %s, %s, %s, %s, now() + make_interval(secs => %s),
                now() + make_interval(secs => %s), %s)
        ON CONFLICT (scope, method, path, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, attempt = EXCLUDED.attempt,
               status = NULL, headers = NULL, body = NULL, created_at = now(),
               locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at,
               namespaces = EXCLUDED.namespaces
         WHERE k.expires_at <= now()
            OR (k.status IS NULL AND k.locked_until <= now()
                AND k.request_hash = EXCLUDED.request_hash)
        RETURNING 1
        """,
        [*_pk(scope), request_hash, attempt, lock_seconds, ttl_seconds, _names(namespaces)])
    return await cur.fetchone() is not None


async def get(conn: AsyncConnection, scope: Scope) -> IdempotencyRecord | None:
    cur = await conn.execute(
        f"SELECT request_hash, status, headers, body FROM idempotency_keys WHERE {_PK}",
        _pk(scope))
    row = await cur.fetchone()
    return IdempotencyRecord(**row) if row else None


async def complete(conn: AsyncConnection, scope: Scope, attempt: uuid.UUID, status: int,
                   headers: list[list[str]], body: bytes, namespaces: Set[str] | None) -> None:
    """Keep the answer, with the namespaces its request and body name. A no-op when a forget
    erased the record while the request ran."""
    await conn.execute(
        f"UPDATE idempotency_keys SET status = %s, headers = %s, body = %s, namespaces = %s "
        f"WHERE {_PK} AND attempt = %s",
        [status, Jsonb(headers), body, _names(namespaces), *_pk(scope), attempt])


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


def _naming(namespace_prefix: tuple[str, ...]) -> tuple[sql.Composable, list]:
    """Records naming a namespace under the prefix, and those whose namespaces are unknown
    (their replay might show anything)."""
    scope, params = prefix_scope("ns.namespace", namespace_prefix)
    return (sql.SQL("(namespaces IS NULL OR EXISTS (SELECT 1 FROM unnest(namespaces) "
                    "AS ns(namespace) WHERE {}))").format(scope), params)


async def count_naming(conn: AsyncConnection, namespace_prefix: tuple[str, ...]) -> int:
    clause, params = _naming(namespace_prefix)
    cur = await conn.execute(
        sql.SQL("SELECT count(*) AS n FROM idempotency_keys WHERE {}").format(clause), params)
    return (await one(cur))["n"]


async def delete_naming(conn: AsyncConnection, namespace_prefix: tuple[str, ...]) -> int:
    """Erase them, in flight or answered: a retry with such a key runs again."""
    clause, params = _naming(namespace_prefix)
    cur = await conn.execute(
        sql.SQL("DELETE FROM idempotency_keys WHERE {}").format(clause), params)
    return cur.rowcount
