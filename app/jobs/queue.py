"""The job queue: procrastinate schedules and runs extraction jobs inside the app.

It has its own small pool. Deferring and cancelling take our connection, so a submission
(supersede the thread's queued job, enqueue the new one) commits as one transaction. The
worker runs under a supervisor (app/jobs/supervisor.py) that restarts it after a database
outage; a process without a language model runs none, leaving jobs to one that has it.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import procrastinate
import psycopg
from procrastinate.exceptions import ConnectorException
from procrastinate.job_context import AbortReason
from procrastinate.jobs import Job
from procrastinate.types import TimeDeltaParams
from procrastinate.worker import Worker
from psycopg import OperationalError

from app.background import cancel_until_done
from app.config import Settings
from app.db.pool import ResilientPool
from app.jobs.supervisor import WorkerSupervisor
from app.observability import context as log_context
from app.observability import metrics, spans, tracing
from app.repositories.advisory_locks import try_lock_stalled_job_reaper
from app.repositories.connection import AsyncConnection

log = logging.getLogger(__name__)

TASK_NAME = "extract_memories"
# After the grace period, the time aborted runs get to go back to the queue.
HAND_BACK_SECONDS = 5.0


class RetryLater(Exception):
    """Raised by a run that failed transiently: procrastinate schedules another attempt."""


class Interrupted(Exception):
    """A run stopped by the server's shutdown: it goes back to the queue, due at once."""


class _Retry(procrastinate.RetryStrategy):
    """RetryLater within the attempt limit; an interrupted run always goes back (procrastinate
    would otherwise mark a job aborted at shutdown as finished, and it would never run)."""

    def get_retry_decision(self, *, exception: BaseException, job: Job
                           ) -> procrastinate.RetryDecision | None:
        if isinstance(exception, Interrupted):
            return procrastinate.RetryDecision(retry_in={"seconds": 0})
        return super().get_retry_decision(exception=exception, job=job)


class JobQueue:
    def __init__(self, url: str, settings: Settings, run: Callable[[str], Awaitable[str]],
                 hand_back: Callable[[str], Awaitable[None]]) -> None:
        """`run(job_id)` runs one attempt and says how it ended; `hand_back(job_id)` marks a
        run interrupted by shutdown as queued again."""
        self.settings = settings
        self.url = url
        self._run = run
        self._hand_back = hand_back
        self.app = procrastinate.App(connector=procrastinate.PsycopgConnector(
            # our pool class, typed for our dict rows; procrastinate's annotation says tuples
            pool_factory=ResilientPool, conninfo=url, min_size=1,  # type: ignore[arg-type]
            max_size=2 + settings.extraction_concurrency,
            timeout=settings.db_unavailable_timeout_seconds))

        @self.app.task(name=TASK_NAME, pass_context=True, retry=_Retry(
            max_attempts=settings.job_max_attempts, wait=int(settings.job_retry_wait_seconds),
            retry_exceptions={RetryLater}))
        async def extract_memories(job_context: procrastinate.JobContext, job_id: str,
                                   trace: dict[str, str] | None = None) -> None:
            # `trace`: the span that queued the job (tracing on), which the run links to
            with spans.job_run(TASK_NAME, job_id, trace):
                await self._run_one(job_context, job_id)

        self._task = extract_memories
        self._worker: asyncio.Task | None = None  # the supervisor's task
        self._running: Worker | None = None  # procrastinate's worker it runs
        self._reaper: asyncio.Task | None = None
        self._supervisor = WorkerSupervisor(self._run_worker, self._database_answers)
        self.worker_off: str | None = None  # why this process runs no worker, if it runs none

    async def open(self) -> None:
        await self.app.open_async()

    async def start_worker(self) -> None:
        self._worker = asyncio.create_task(self._supervisor.run_forever(),
                                           name="extraction-worker")
        self._start_reaper()

    def leave_jobs(self, reason: str) -> None:
        """Run no worker (jobs stay queued for a process that can run them); say why."""
        self.worker_off = f"extraction worker off: {reason}"
        log.warning("%s; extraction jobs stay queued for a server that has one",
                    self.worker_off)
        self._start_reaper()  # stalled jobs of other processes still go back to the queue

    def worker_state(self) -> str:
        if self.worker_off:
            return "off"
        return "running" if self.worker_problem() is None else "restarting"

    def worker_problem(self) -> str | None:
        """Why the worker is not running, when it should be; None when all is well."""
        if self._worker is None:
            return None
        if self._worker.done():
            exc = None if self._worker.cancelled() else self._worker.exception()
            return f"extraction worker stopped: {exc!r}" if exc else "extraction worker stopped"
        return self._supervisor.problem()

    def worker_stuck(self) -> str | None:
        """Set when restarting the worker keeps failing while the database answers."""
        return None if self._worker is None else self._supervisor.stuck()

    def _start_reaper(self) -> None:
        self._reaper = asyncio.create_task(self._requeue_stalled_forever(), name="job-reaper")

    async def _run_worker(self) -> None:
        # app.run_worker_async, keeping the worker to stop it (see drain)
        s = self.settings
        self._running = Worker(
            app=self.app, concurrency=s.extraction_concurrency, wait=True,
            install_signal_handlers=False, fetch_job_polling_interval=s.job_poll_interval_seconds,
            update_heartbeat_interval=s.job_heartbeat_seconds,
            stalled_worker_timeout=s.job_stalled_after_seconds,
            shutdown_graceful_timeout=s.shutdown_grace_seconds)
        await self._running.run()

    async def _database_answers(self) -> bool:
        try:
            async with asyncio.timeout(self.settings.ready_check_timeout_seconds):
                await self.app.job_manager.check_connection_async()
        except Exception:  # any failure: the database does not answer
            return False
        return True

    async def drain(self) -> None:
        """Stop taking jobs, due or not; running ones get SHUTDOWN_GRACE_SECONDS to finish,
        then are handed back to the queue. Asked, not only cancelled: a cancel can be lost
        (app/background.py), and a second one would cut procrastinate's graceful stop short;
        so the supervisor restarts nothing more and the worker's stop() ends its loop,
        wherever the cancel went."""
        self._supervisor.stop()
        if self._running is not None:
            self._running.stop()
        if self._worker is not None:
            self._worker.cancel()  # it may be between restarts, or still starting
        bound = self.settings.shutdown_grace_seconds + HAND_BACK_SECONDS
        stuck = await cancel_until_done([self._reaper] if self._reaper else [], within=bound)
        if self._worker is not None:  # its running jobs had the grace meanwhile
            await asyncio.wait({self._worker}, timeout=bound)
            if not self._worker.done():
                stuck.add(self._worker)
        for task in stuck:
            log.error("%s did not stop within %g s; leaving it", task.get_name(), bound)

    async def close(self) -> None:
        await self.drain()  # at once when drained already
        await self.app.close_async()

    async def defer(self, conn: AsyncConnection, job_id: str, after_seconds: float) -> int:
        # procrastinate types seconds as int; it builds a timedelta, which takes a float
        delay = cast(TimeDeltaParams, {"seconds": after_seconds})
        queued_by = tracing.carrier()  # {} with tracing off: the arguments stay as they were
        trace: dict[str, Any] = {"trace": queued_by} if queued_by else {}
        return await self._task.configure(
            schedule_in=delay, connection=conn).defer_async(job_id=job_id, **trace)

    async def cancel(self, conn: AsyncConnection, queue_job_id: int, *, abort: bool) -> bool:
        return await self.app.job_manager.cancel_job_by_id_async(
            queue_job_id, abort=abort, connection=conn)

    async def _run_one(self, job_context: procrastinate.JobContext, job_id: str) -> None:
        token = log_context.job_id.set(job_id)  # on every log line of this run
        started = time.perf_counter()
        outcome = "error"
        try:
            outcome = await self._run(job_id)
        except RetryLater:
            outcome = "retried"
            raise
        except asyncio.CancelledError:
            if job_context.abort_reason() is not AbortReason.SHUTDOWN:
                outcome = "cancelled"  # cancelled or superseded on request
                raise
            outcome = "interrupted"
            log.warning("job %s interrupted by shutdown: back in the queue", job_id)
            try:
                await self._hand_back(job_id)
            except Exception:  # its record stays "running"; the next run claims it anyway
                log.exception("could not mark job %s as queued again", job_id)
            raise Interrupted(job_id) from None
        finally:
            seconds = time.perf_counter() - started
            metrics.observe_job(outcome, seconds)
            tracing.annotate({"memory_service.job.outcome": outcome})
            # One line per run, like one per request; re-checks of a waiting job are quiet.
            log.log(logging.DEBUG if outcome in ("waiting", "skipped") else logging.INFO,
                    "extraction job %s %s", job_id, outcome,
                    extra={"outcome": outcome, "duration_ms": round(seconds * 1000, 3)})
            log_context.job_id.reset(token)

    async def _requeue_stalled_forever(self) -> None:
        """Jobs whose worker died (a killed process) go back to the queue."""
        interval = max(1.0, self.settings.job_stalled_after_seconds / 3)
        while True:
            try:
                await self.requeue_stalled()
            except (OperationalError, ConnectorException) as exc:  # the database is away
                log.warning("stalled-job check failed: %s", exc)
            except Exception:  # a failed check must not stop later ones
                log.exception("stalled-job check failed")
            await asyncio.sleep(interval)

    async def requeue_stalled(self) -> int | None:
        """One round: the stalled jobs requeued, or None when another process's reaper is
        in its round (they take turns under a lock, so no job is requeued twice)."""
        # The lock's connection is its own, not one of procrastinate's small pool: held idle in
        # its transaction for the round, it would leave the calls below (and the worker) one
        # connection short, and waiting behind it.
        async with await psycopg.AsyncConnection.connect(
                self.url, connect_timeout=max(1, int(self.settings.db_unavailable_timeout_seconds))
        ) as conn:  # leaving the block ends the transaction, and the lock with it
            if not await try_lock_stalled_job_reaper(conn):
                return None
            stalled = list(await self.app.job_manager.get_stalled_jobs(
                seconds_since_heartbeat=self.settings.job_stalled_after_seconds))
            for job in stalled:
                log.warning("requeueing job %s of a stalled worker", job.id)
                await self.app.job_manager.retry_job(job)
            return len(stalled)
