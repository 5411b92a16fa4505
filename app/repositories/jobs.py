"""SQL for extraction jobs: our record of each queued conversation and its outcome."""

import json
import uuid
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from app.domain.jobs import JobRecord
from app.repositories.conditions import ns_text, prefix_scope
from app.repositories.connection import AsyncConnection, one


async def lock_thread(conn: AsyncConnection, namespace: tuple[str, ...], thread_id: str) -> None:
    """Serialise submissions for one thread until the transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 42))",
                       (json.dumps([ns_text(namespace), thread_id]),))


async def active_for_thread(conn: AsyncConnection, namespace: tuple[str, ...],
                            thread_id: str) -> list[JobRecord]:
    """The thread's queued and running jobs, oldest first, locked."""
    cur = await conn.execute(
        "SELECT * FROM extraction_jobs WHERE namespace = %s AND thread_id = %s "
        "AND status IN ('queued', 'running') ORDER BY created_at, id FOR UPDATE",
        (ns_text(namespace), thread_id))
    return [JobRecord.from_row(r) for r in await cur.fetchall()]


async def earlier_active(conn: AsyncConnection, job: JobRecord) -> bool:
    """Whether an older job of the same thread is still queued or running."""
    cur = await conn.execute(
        """
        SELECT EXISTS (SELECT 1 FROM extraction_jobs
                       WHERE namespace = %s AND thread_id = %s AND id <> %s
                         AND status IN ('queued', 'running') AND (created_at, id) < (%s, %s))
        """,
        (ns_text(job.namespace), job.thread_id, job.id, job.created_at, job.id))
    return (await one(cur))["exists"]


async def insert_job(conn: AsyncConnection, job_id: uuid.UUID, namespace: tuple[str, ...],
                     thread_id: str | None, request: dict[str, Any],
                     after_seconds: float) -> None:
    await conn.execute(
        """
        INSERT INTO extraction_jobs (id, namespace, thread_id, status, request, due_at)
        VALUES (%s, %s, %s, 'queued', %s, now() + %s * interval '1 second')
        """,
        (job_id, ns_text(namespace), thread_id, Jsonb(request), after_seconds))


async def set_queue_job(conn: AsyncConnection, job_id: uuid.UUID, queue_job_id: int) -> None:
    await conn.execute("UPDATE extraction_jobs SET queue_job_id = %s WHERE id = %s",
                       (queue_job_id, job_id))


async def supersede(conn: AsyncConnection, job_id: uuid.UUID, by: uuid.UUID,
                    error: str = "superseded by a newer submission for the same thread") -> None:
    """Cancel a queued job, or a running one (its changes are then discarded), in favour of `by`."""
    await conn.execute(
        """
        UPDATE extraction_jobs SET status = 'cancelled', superseded_by = %s, finished_at = now(),
            error = %s
        WHERE id = %s AND status IN ('queued', 'running')
        """,
        (by, error, job_id))


async def get_job(conn: AsyncConnection, job_id: uuid.UUID, *,
                  for_update: bool = False) -> JobRecord | None:
    query = "SELECT * FROM extraction_jobs WHERE id = %s" + (" FOR UPDATE" if for_update else "")
    cur = await conn.execute(query, (job_id,))
    row = await cur.fetchone()
    return JobRecord.from_row(row) if row else None



async def written_job(conn: AsyncConnection, job_id: uuid.UUID) -> JobRecord:
    """A job this transaction has just inserted or updated: it is there."""
    cur = await conn.execute("SELECT * FROM extraction_jobs WHERE id = %s", (job_id,))
    return JobRecord.from_row(await one(cur))


async def list_jobs(conn: AsyncConnection, namespace_prefix: tuple[str, ...],
                    thread_id: str | None, status: str | None, limit: int,
                    offset: int) -> list[JobRecord]:
    scope, params = prefix_scope("namespace", namespace_prefix)
    cur = await conn.execute(
        sql.SQL(
            """
            SELECT * FROM extraction_jobs
            WHERE {} AND (%s::text IS NULL OR thread_id = %s) AND (%s::text IS NULL OR status = %s)
            ORDER BY created_at DESC, id LIMIT %s OFFSET %s
            """
        ).format(scope),
        [*params, thread_id, thread_id, status, status, limit, offset])
    return [JobRecord.from_row(r) for r in await cur.fetchall()]


async def start_job(conn: AsyncConnection, job_id: uuid.UUID) -> JobRecord | None:
    """Claim a job for a run; None when it is already finished or cancelled."""
    cur = await conn.execute(
        """
        UPDATE extraction_jobs SET status = 'running', attempts = attempts + 1,
            started_at = coalesce(started_at, now()), error = NULL
        WHERE id = %s AND status IN ('queued', 'running') RETURNING *
        """,
        (job_id,))
    row = await cur.fetchone()
    return JobRecord.from_row(row) if row else None


async def finish(conn: AsyncConnection, job_id: uuid.UUID, status: str, *,
                 result: dict[str, Any] | None = None, error: str | None = None) -> bool:
    cur = await conn.execute(
        """
        UPDATE extraction_jobs SET status = %s, result = %s, error = %s, finished_at = now()
        WHERE id = %s AND status IN ('queued', 'running')
        """,
        (status, Jsonb(result) if result is not None else None, error, job_id))
    return cur.rowcount == 1


async def requeue(conn: AsyncConnection, job_id: uuid.UUID, error: str) -> None:
    await conn.execute(
        "UPDATE extraction_jobs SET status = 'queued', error = %s "
        "WHERE id = %s AND status = 'running'", (error, job_id))


async def count_by_status(conn: AsyncConnection,
                          namespace_prefix: tuple[str, ...]) -> dict[str, int]:
    scope, params = prefix_scope("namespace", namespace_prefix)
    cur = await conn.execute(
        sql.SQL("SELECT status, count(*) AS n FROM extraction_jobs WHERE {} GROUP BY status")
        .format(scope), params)
    return {r["status"]: r["n"] for r in await cur.fetchall()}
