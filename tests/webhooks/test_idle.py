"""An idle worker asks the database nothing: with the default settings and no endpoint, its
connections start no statement for seconds (pg_stat_activity's query_start), one of them
waiting in LISTEN; and it stops at once when cancelled."""

import asyncio
import time

import psycopg
from psycopg.conninfo import make_conninfo

from app.db.pool import open_pool
from app.webhooks.worker import WebhookWorker

APP_NAME = "webhook-idle-test"
IDLE_SECONDS = 3.0


def _statements_since(database_url: str, since) -> list[tuple[str, str]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(
            "SELECT state, query FROM pg_stat_activity WHERE application_name = %s "
            "AND query_start > %s", (APP_NAME, since)).fetchall()


def _connections(database_url: str, app_name: str = APP_NAME) -> list[str]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "SELECT query FROM pg_stat_activity WHERE application_name = %s",
            (app_name,)).fetchall()]


def _now(database_url: str):
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute("SELECT clock_timestamp()").fetchone()
        assert row is not None
        return row[0]


async def test_an_idle_worker_runs_no_statement_and_stops_promptly(settings, database_url):
    pool = await open_pool(make_conninfo(database_url, application_name=APP_NAME),
                           min_size=1, max_size=2)
    worker = asyncio.create_task(WebhookWorker(pool, settings).run_forever())
    try:
        deadline = time.monotonic() + 10
        while not any(q.startswith("LISTEN") for q in await asyncio.to_thread(
                _connections, database_url)):
            assert time.monotonic() < deadline and not worker.done()
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # the rounds at start and on listening are over
        since = await asyncio.to_thread(_now, database_url)
        await asyncio.sleep(IDLE_SECONDS)
        assert await asyncio.to_thread(_statements_since, database_url, since) == []
        queries = await asyncio.to_thread(_connections, database_url)
        assert sum(q.startswith("LISTEN") for q in queries) == 1, queries
        cancelled = time.monotonic()
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        assert time.monotonic() - cancelled < 2.0
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        await pool.close()
    deadline = time.monotonic() + 5
    while left := await asyncio.to_thread(_connections, database_url):  # the listener's too
        assert time.monotonic() < deadline, left
        await asyncio.sleep(0.1)
