"""A shutdown's cancel that arrives as the worker is woken still stops it. Python 3.11's
asyncio.wait_for returned the wake-up instead (the cancel was lost), so the worker went on
forever and the app's shutdown waited for it: a whole CI run hung in teardown."""

import asyncio

from app.db.pool import open_pool
from app.webhooks.worker import WebhookWorker


async def test_a_cancel_that_meets_a_wake_up_stops_the_worker(settings, database_url):
    pool = await open_pool(database_url, min_size=1, max_size=2)
    worker = WebhookWorker(pool, settings)
    task = asyncio.create_task(worker.run_forever())
    try:
        async with asyncio.timeout(10):  # connected and idle: waiting for a wake-up
            while not worker._wakeup.connected.is_set():
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)  # past the round its connection started
        worker._wakeup.event.set()  # a notification, and in the same instant the shutdown
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=5)
        assert done, "the worker went on after its cancel"
        assert task.cancelled()
    finally:
        task.cancel()
        await asyncio.wait({task}, timeout=5)
        await pool.close()
