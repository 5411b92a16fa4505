"""SQL for runs and threads (migrations 0006, 0011); a run's job is in extraction_jobs.

A thread is (owner_key, thread_id), NULL owner being the admin scope (app/runs/scope.py); a
run points at its thread's row, so a thread's runs are only ever its owner's."""

import uuid
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from app.domain.jobs import JobRecord
from app.domain.runs import RunRecord, ThreadRecord
from app.repositories.conditions import prefix_scope
from app.repositories.connection import AsyncConnection, one

_RUN_SELECT = """
    SELECT j.*, r.thread_id AS run_thread_id, r.assistant_id, r.multitask_strategy,
           r.metadata AS run_metadata
    FROM extraction_runs r JOIN extraction_jobs j ON j.id = r.run_id
"""


def _run(row: dict[str, Any]) -> RunRecord:
    row = dict(row)
    extra = {k: row.pop(k) for k in ("run_thread_id", "assistant_id", "multitask_strategy",
                                     "run_metadata")}
    return RunRecord(JobRecord.from_row(row), extra["run_thread_id"], extra["assistant_id"],
                     extra["multitask_strategy"], extra["run_metadata"])


async def get_thread(conn: AsyncConnection, owner_key: str | None,
                     thread_id: str) -> ThreadRecord | None:
    cur = await conn.execute(
        "SELECT * FROM run_threads WHERE coalesce(owner_key, '') = %s AND thread_id = %s",
        (owner_key or "", thread_id))
    row = await cur.fetchone()
    return ThreadRecord(**row) if row else None


async def insert_thread(conn: AsyncConnection, owner_key: str | None, thread_id: str,
                        metadata: dict[str, Any]) -> ThreadRecord | None:
    """None when the owner has this thread already."""
    cur = await conn.execute(
        "INSERT INTO run_threads (thread_id, metadata, owner_key) VALUES (%s, %s, %s) "
        "ON CONFLICT ((coalesce(owner_key, '')), thread_id) DO NOTHING RETURNING *",
        (thread_id, Jsonb(metadata), owner_key))
    row = await cur.fetchone()
    return ThreadRecord(**row) if row else None


async def ensure_thread(conn: AsyncConnection, owner_key: str | None,
                        thread_id: str) -> ThreadRecord:
    """The owner's thread, created if missing. A concurrent insert of the same thread makes
    ours wait for it and do nothing; the next statement's snapshot then sees its row."""
    created = await insert_thread(conn, owner_key, thread_id, {})
    found = created or await get_thread(conn, owner_key, thread_id)
    if found is None:  # the row is inserted or visible; neither means a broken transaction
        raise RuntimeError(f"thread {thread_id!r} neither inserted nor found")
    return found


async def merge_thread_metadata(conn: AsyncConnection, thread: uuid.UUID,
                                metadata: dict[str, Any]) -> ThreadRecord | None:
    cur = await conn.execute(
        "UPDATE run_threads SET metadata = metadata || %s, updated_at = now() "
        "WHERE id = %s RETURNING *", (Jsonb(metadata), thread))
    row = await cur.fetchone()
    return ThreadRecord(**row) if row else None


async def thread_job_statuses(conn: AsyncConnection, thread: uuid.UUID) -> tuple[bool, str | None]:
    """(whether a run of the thread is unfinished, the status of its newest finished run)."""
    cur = await conn.execute(
        """
        SELECT bool_or(j.status IN ('queued', 'running')) AS busy,
               (SELECT j2.status
                FROM extraction_runs r2 JOIN extraction_jobs j2 ON j2.id = r2.run_id
                WHERE r2.thread = %s AND j2.status NOT IN ('queued', 'running')
                ORDER BY j2.finished_at DESC NULLS LAST LIMIT 1) AS last
        FROM extraction_runs r JOIN extraction_jobs j ON j.id = r.run_id
        WHERE r.thread = %s
        """, (thread, thread))
    row = await one(cur)
    return bool(row["busy"]), row["last"]


async def insert_run(conn: AsyncConnection, run_id: uuid.UUID, thread: ThreadRecord,
                     assistant_id: str, multitask_strategy: str,
                     metadata: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO extraction_runs (run_id, thread, thread_id, assistant_id, "
        "multitask_strategy, metadata, created_at) "
        "SELECT %s, %s, %s, %s, %s, %s, created_at FROM extraction_jobs WHERE id = %s",
        (run_id, thread.id, thread.thread_id, assistant_id, multitask_strategy,
         Jsonb(metadata), run_id))


async def get_run(conn: AsyncConnection, thread: uuid.UUID,
                  run_id: uuid.UUID) -> RunRecord | None:
    cur = await conn.execute(_RUN_SELECT + " WHERE r.run_id = %s AND r.thread = %s",
                             (run_id, thread))
    row = await cur.fetchone()
    return _run(row) if row else None


async def list_runs(conn: AsyncConnection, thread: uuid.UUID,
                    readable: list[tuple[str, ...]], job_status: str | None, limit: int,
                    offset: int) -> list[RunRecord]:
    """The thread's runs into namespaces under one of the `readable` prefixes."""
    scopes = [prefix_scope("j.namespace", p) for p in readable]
    grants = sql.SQL(" OR ").join(s for s, _ in scopes) if scopes else sql.SQL("FALSE")
    cur = await conn.execute(
        sql.SQL(_RUN_SELECT + " WHERE r.thread = %s AND ({}) "
                "AND (%s::text IS NULL OR j.status = %s) "
                "ORDER BY j.created_at DESC, j.id LIMIT %s OFFSET %s").format(grants),
        [thread, *[p for _, params in scopes for p in params], job_status, job_status,
         limit, offset])
    return [_run(r) for r in await cur.fetchall()]
