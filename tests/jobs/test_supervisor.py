"""The worker's supervisor: restarts a stopped worker, tells an outage (keep restarting) from
a process broken beyond self-repair (/livez fails), and forgets failures once a worker ran
long enough. Timings shortened so the rules run in a second."""

import asyncio

import pytest

from app.jobs import supervisor as module
from app.jobs.supervisor import STUCK_AFTER_FAILURES, WorkerSupervisor


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(module, "FIRST_BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(module, "MAX_BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(module, "HEALTHY_AFTER_SECONDS", 0.3)


class Worker:
    """A worker that fails at once while `broken`, else runs until cancelled."""

    def __init__(self) -> None:
        self.broken = True
        self.starts = 0

    async def run(self) -> None:
        self.starts += 1
        if self.broken:
            raise RuntimeError("no such table: procrastinate_workers")
        await asyncio.Event().wait()


async def until(condition, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


def answers(value: bool):
    async def probe() -> bool:
        return value
    return probe


async def test_failing_restarts_while_the_database_answers_make_it_stuck_then_healthy():
    worker = Worker()
    supervisor = WorkerSupervisor(worker.run, answers(True))
    task = asyncio.create_task(supervisor.run_forever())
    try:
        await until(lambda: supervisor.stuck() is not None)
        assert worker.starts >= STUCK_AFTER_FAILURES
        assert "procrastinate_workers" in supervisor.stuck()
        assert supervisor.problem().startswith("extraction worker restarting after")
        worker.broken = False  # mended: the next restart runs, and stays up
        await until(lambda: supervisor.running)
        assert supervisor.problem() is None
        await until(lambda: supervisor.stuck() is None)
    finally:
        task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_outage_never_makes_it_stuck():
    worker = Worker()
    supervisor = WorkerSupervisor(worker.run, answers(False))
    task = asyncio.create_task(supervisor.run_forever())
    try:
        await until(lambda: worker.starts >= 3 * STUCK_AFTER_FAILURES)
        assert supervisor.stuck() is None  # restarting until the database returns is the cure
        assert supervisor.problem() is not None
    finally:
        task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_worker_ending_after_stop_is_neither_restarted_nor_a_failure():
    worker = Worker()
    worker.broken = False
    ended = asyncio.Event()

    async def run_until_asked() -> None:  # as procrastinate's worker does after its stop()
        worker.starts += 1
        await ended.wait()

    supervisor = WorkerSupervisor(run_until_asked, answers(True))
    task = asyncio.create_task(supervisor.run_forever())
    await until(lambda: supervisor.running)
    supervisor.stop()
    ended.set()
    await asyncio.wait_for(task, 5)
    assert worker.starts == 1 and supervisor.restarts == 0 and supervisor.last_error is None
