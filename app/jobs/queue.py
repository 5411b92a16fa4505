"""The job queue: procrastinate schedules and runs extraction jobs inside the app.

It has its own small pool. Deferring and cancelling take our connection, so a submission
(supersede the thread's queued job, enqueue the new one) commits as one transaction.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import procrastinate
from psycopg import AsyncConnection

from app.config import Settings

log = logging.getLogger(__name__)

TASK_NAME = "extract_memories"


class RetryLater(Exception):
    """Raised by a run that failed transiently: procrastinate schedules another attempt."""


class JobQueue:
    def __init__(self, url: str, settings: Settings,
                 run: Callable[[str], Awaitable[None]]) -> None:
        self.settings = settings
        self.app = procrastinate.App(connector=procrastinate.PsycopgConnector(
            conninfo=url, min_size=1, max_size=2 + settings.extraction_concurrency))

        @self.app.task(name=TASK_NAME, retry=procrastinate.RetryStrategy(
            max_attempts=settings.job_max_attempts, wait=int(settings.job_retry_wait_seconds),
            retry_exceptions={RetryLater}))
        async def extract_memories(job_id: str) -> None:
            await run(job_id)

        self._task = extract_memories
        self._worker: asyncio.Task | None = None
        self._reaper: asyncio.Task | None = None

    async def open(self) -> None:
        await self.app.open_async()

    async def start_worker(self) -> None:
        s = self.settings
        self._worker = asyncio.create_task(self.app.run_worker_async(
            concurrency=s.extraction_concurrency, wait=True, install_signal_handlers=False,
            fetch_job_polling_interval=s.job_poll_interval_seconds,
            update_heartbeat_interval=s.job_heartbeat_seconds,
            stalled_worker_timeout=s.job_stalled_after_seconds,
            shutdown_graceful_timeout=s.shutdown_grace_seconds,
        ), name="extraction-worker")
        self._reaper = asyncio.create_task(self._requeue_stalled_forever(), name="job-reaper")

    def worker_problem(self) -> str | None:
        """Why the worker is not running, when it should be; None when all is well."""
        if self._worker is None or not self._worker.done():
            return None
        exc = None if self._worker.cancelled() else self._worker.exception()
        return f"extraction worker stopped: {exc!r}" if exc else "extraction worker stopped"

    async def close(self) -> None:
        for task in (self._reaper, self._worker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await self.app.close_async()

    async def defer(self, conn: AsyncConnection, job_id: str, after_seconds: float) -> int:
        return await self._task.configure(
            schedule_in={"seconds": after_seconds}, connection=conn).defer_async(job_id=job_id)

    async def cancel(self, conn: AsyncConnection, queue_job_id: int, *, abort: bool) -> bool:
        return await self.app.job_manager.cancel_job_by_id_async(
            queue_job_id, abort=abort, connection=conn)

    async def _requeue_stalled_forever(self) -> None:
        """Jobs whose worker died (a killed process) go back to the queue."""
        interval = max(1.0, self.settings.job_stalled_after_seconds / 3)
        while True:
            try:
                for job in await self.app.job_manager.get_stalled_jobs(
                        seconds_since_heartbeat=self.settings.job_stalled_after_seconds):
                    log.warning("requeueing job %s of a stalled worker", job.id)
                    await self.app.job_manager.retry_job(job)
            except Exception:  # a failed check must not stop later ones
                log.exception("stalled-job check failed")
            await asyncio.sleep(interval)
