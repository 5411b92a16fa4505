"""Replicas take turns requeueing stalled jobs: while one process's reaper is in its round
(it holds the lock), another's does nothing, so no stalled job is requeued twice (the second
time after a live worker took it again, running it twice at once)."""

import psycopg
import pytest

from app.jobs.queue import JobQueue
from app.repositories.advisory_locks import _STALLED_JOB_REAPER_LOCK


async def never(job_id: str):
    raise AssertionError("no job runs in this test")


@pytest.fixture
async def queue(settings):
    queue = JobQueue(settings.database_url, settings, never, never)
    await queue.open()
    yield queue
    await queue.close()


def stall(database_url: str, queue_job_id: int) -> None:
    """As if a worker took the job and died: `doing`, its worker gone."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE procrastinate_jobs SET status = 'doing', worker_id = NULL "
                     "WHERE id = %s", (queue_job_id,))


def status(database_url: str, queue_job_id: int) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT status FROM procrastinate_jobs WHERE id = %s",
                           (queue_job_id,)).fetchone()
    return row[0]


async def test_one_reaper_at_a_time(queue, settings, database_url):
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        queue_job_id = await queue.defer(conn, "00000000-0000-0000-0000-000000000001", 3600)
    stall(database_url, queue_job_id)
    with psycopg.connect(database_url) as other:  # another replica's reaper, mid-round
        other.execute("SELECT pg_advisory_xact_lock(%s)", (_STALLED_JOB_REAPER_LOCK,))
        assert await queue.requeue_stalled() is None
        assert status(database_url, queue_job_id) == "doing"
        other.rollback()  # its round ends
    assert await queue.requeue_stalled() == 1
    assert status(database_url, queue_job_id) == "todo"
    assert await queue.requeue_stalled() == 0
