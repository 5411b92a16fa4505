"""Advisory locks that serialise one-off work across processes sharing a database."""

from typing import Any

from psycopg import AsyncConnection as PsycopgConnection
from psycopg.rows import dict_row

from app.repositories.connection import AsyncConnection

_KEYWORD_INDEX_LOCK = 7_364_201  # one process at a time rebuilds the keyword index


async def lock_keyword_index(conn: AsyncConnection) -> None:
    """Held until the transaction ends: others wait, then see the index already rebuilt."""
    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_KEYWORD_INDEX_LOCK,))


_STALLED_JOB_REAPER_LOCK = 7_364_202  # one process at a time requeues stalled jobs


async def try_lock_stalled_job_reaper(conn: PsycopgConnection[Any]) -> bool:
    """Held until the transaction ends; False when another process holds it. With every
    replica running a reaper, two could otherwise both requeue one stalled job, the second
    after a live worker had taken it again: the job would then run twice at once."""
    async with conn.cursor(row_factory=dict_row) as cur:  # procrastinate's rows are tuples
        await cur.execute("SELECT pg_try_advisory_xact_lock(%s) AS locked",
                          (_STALLED_JOB_REAPER_LOCK,))
        row = await cur.fetchone()
    return bool(row and row["locked"])
