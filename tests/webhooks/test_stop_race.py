"""A shutdown's cancel that arrives as the worker is woken still stops it. Python 3.11's
asyncio.wait_for returned the wake-up instead (the cancel was lost), so the worker went on
forever and the app's shutdown waited for it: a whole CI run hung in teardown."""

import asyncio

from psycopg.conninfo import make_conninfo

from app.db.pool import open_pool
from app.webhooks.worker import WebhookWorker
from tests.webhooks.test_idle import _connections

APP_NAME = "webhook-stop-race-test"


async def test_a_cancel_that_meets_a_wake_up_stops_the_worker(settings, database_url):
    pool = await open_pool(make_conninfo(database_url, application_name=APP_NAME),
                           min_size=1, max_size=2)
    worker = WebhookWorker(pool, settings)
    task = asyncio.create_task(worker.run_forever())
    try:
        async with asyncio.timeout(30):  # listening, then idle: waiting for a wake-up
            while not any(q.startswith("LISTEN") for q in await asyncio.to_thread(
                    _connections, database_url, APP_NAME)):
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # past the round its connection started
        worker._wakeup.event.set()  # a notification, and in the same instant the shutdown
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=5)
        assert done, "the worker went on after its cancel"
        assert task.cancelled()
    finally:
        task.cancel()
        await asyncio.wait({task}, timeout=5)
        await pool.close()
