"""A shutdown ends even when a cancel is lost. On Python 3.11, asyncio.wait_for returns its
result when a cancel lands just as what it waits for completes; psycopg_pool waits for a free
connection that way, so a background task cancelled then went on as if never cancelled, and
the lifespan waited for it forever (CI: a test's teardown hung 300 s).

The fakes below lose a cancel the way wait_for does: caught, and the result returned."""

import asyncio
import contextlib

import pytest

from app.background import cancel_until_done
from app.jobs.queue import JobQueue

BOUND_SECONDS = 15  # far above a clean stop (well under a second here)


async def never(job_id: str):
    raise AssertionError("no job runs in this test")


class LosesOneCancel:
    """An awaitable step that swallows the first cancel it gets, as 3.11's wait_for does."""

    def __init__(self, result=None) -> None:
        self.result = result
        self.entered = asyncio.Event()
        self.lost = 0

    async def __call__(self, *args, **kwargs):
        self.entered.set()
        try:
            await asyncio.sleep(3600)  # waiting for a connection
        except asyncio.CancelledError:
            if self.lost:
                raise
            self.lost += 1
            return self.result() if callable(self.result) else self.result
        raise AssertionError("not cancelled")


async def closes(queue: JobQueue) -> None:
    """close() ends within BOUND_SECONDS (waited for from outside: a cancel is what is lost)."""
    closing = asyncio.create_task(queue.close())
    done, _ = await asyncio.wait({closing}, timeout=BOUND_SECONDS)
    assert done, f"close() still running after {BOUND_SECONDS} s"
    await closing


@pytest.fixture
async def queue(settings):
    queue = JobQueue(settings.database_url, settings.model_copy(update={
        "job_stalled_after_seconds": 3, "shutdown_grace_seconds": 1}), never, never)
    await queue.open()
    yield queue
    await queue.close()  # what is left to close after a test


async def test_a_reaper_that_loses_its_cancel_still_stops(queue, monkeypatch):
    round_ = LosesOneCancel(result=0)
    monkeypatch.setattr(queue, "requeue_stalled", round_)
    queue.leave_jobs("this test runs no worker")  # the reaper alone
    await round_.entered.wait()
    await closes(queue)
    assert round_.lost == 1 and queue._reaper.done()


async def test_a_worker_that_loses_its_cancel_while_registering_still_stops(queue, monkeypatch):
    register = queue.app.job_manager.register_worker
    step = LosesOneCancel()
    registered = []

    async def register_losing_a_cancel():
        await step()
        registered.append(await register())  # then it registers, and would run for good
        return registered[-1]

    monkeypatch.setattr(queue.app.job_manager, "register_worker", register_losing_a_cancel)
    await queue.start_worker()
    await step.entered.wait()
    await closes(queue)
    assert step.lost == 1 and registered and queue._worker.done()


async def test_cancel_until_done_cancels_again_until_the_task_ends():
    step = LosesOneCancel()

    async def loop_forever():
        while True:
            await step()
            await asyncio.sleep(0.05)

    task = asyncio.create_task(loop_forever())
    await step.entered.wait()
    assert await cancel_until_done([task], within=BOUND_SECONDS) == set()
    assert task.cancelled() and step.lost == 1


async def test_cancel_until_done_returns_a_task_that_will_not_stop():
    stop = False

    async def ignores_cancels():
        while not stop:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(3600)

    task = asyncio.create_task(ignores_cancels())
    await asyncio.sleep(0)
    assert await cancel_until_done([task], within=0.3) == {task}
    stop = True
    task.cancel()
    await task
