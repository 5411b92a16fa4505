"""Background extraction: submit (debounced per thread), run, read, cancel."""

import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Literal

from psycopg import OperationalError

from app.config import Settings
from app.domain.caps import check_messages, check_page
from app.domain.history import Origin
from app.domain.jobs import ACTIVE, JobRecord
from app.errors import AppError, Conflict, NotFound
from app.extraction.kinds import build_kinds
from app.extraction.llm import LLMError
from app.extraction.messages import normalize
from app.extraction.schemas import ExtractionJobRequest, ExtractionResult
from app.extraction.service import ExtractionService
from app.extraction.snapshots import is_earlier_snapshot
from app.jobs.queue import JobQueue, RetryLater
from app.memories.namespaces import validate_namespace
from app.repositories import jobs as jobs_sql
from app.repositories.connection import AsyncConnection, AsyncConnectionPool

log = logging.getLogger(__name__)

# What a new job does to its thread's unfinished jobs (same namespace): see JobService.submit.
Replace = Literal["queued", "active", "none", "reject"]
Also = Callable[[AsyncConnection, JobRecord], Awaitable[None]]


def _newer_snapshot(request: ExtractionJobRequest, active: list[JobRecord]) -> JobRecord | None:
    """The thread's queued or running job whose conversation already holds everything this
    submission has (the debounce compares content, not arrival: see app/extraction/snapshots)."""
    return next((old for old in reversed(active)
                 if is_earlier_snapshot(request.messages, old.request.get("messages") or [])),
                None)


def rejection_error(result: ExtractionResult) -> str:
    reasons = "; ".join(r["reason"] for r in result.rejected[:5])
    more = f" (and {len(result.rejected) - 5} more)" if len(result.rejected) > 5 else ""
    return (f"every operation the model proposed was rejected ({len(result.rejected)}), "
            f"nothing was stored: {reasons}{more}")


class NoLongerRunning(Exception):
    """The job was cancelled or superseded while its model call ran: discard its changes."""


class JobService:
    def __init__(self, pool: AsyncConnectionPool, extraction: ExtractionService,
                 settings: Settings) -> None:
        self.pool = pool
        self.extraction = extraction
        self.settings = settings
        self.queue: JobQueue | None = None  # set once the queue exists (it calls run())

    @property
    def _queue(self) -> JobQueue:
        if self.queue is None:
            raise RuntimeError("the job queue is not set yet (app/runtime.py sets it)")
        return self.queue

    async def submit(self, request: ExtractionJobRequest, *, replace: Replace = "queued",
                     also: Also | None = None) -> JobRecord:
        """Queue an extraction. Toward the thread's unfinished jobs (same namespace) it
        replaces the one that has not started ("queued", the debounce), also a running one
        whose changes are then discarded ("active"), none of them ("none": it runs after
        them), or refuses with 409 while there are any ("reject"). `also` runs in the
        submission's transaction."""
        self.extraction.require_model()
        namespace = self.extraction.resolve_namespace(request)
        check_messages(self.settings, request.messages)
        normalize(request.messages)  # bad input fails now, not in the background
        build_kinds([k.model_dump(by_alias=True) for k in request.kinds or []] or None)
        job_id = uuid.uuid4()
        async with self.pool.connection() as conn, conn.transaction():
            await jobs_sql.lock_thread(conn, namespace, request.thread_id)
            active = await jobs_sql.active_for_thread(conn, namespace, request.thread_id)
            if replace == "reject" and active:
                raise Conflict(f"thread {request.thread_id!r} already has an unfinished "
                               f"extraction into {'.'.join(namespace)} ({active[-1].id} is "
                               f"{active[-1].status}); wait for it or replace it")
            keeper = _newer_snapshot(request, active) if replace in ("queued", "active") \
                else None
            if keeper is not None:
                return await self._record_stale(conn, job_id, namespace, request, keeper, also)
            for old in active:
                if replace == "active" or (replace == "queued" and old.status == "queued"):
                    if old.queue_job_id is not None:
                        await self._queue.cancel(conn, old.queue_job_id,
                                                abort=old.status == "running")
                    await jobs_sql.supersede(conn, old.id, job_id)
            await jobs_sql.insert_job(conn, job_id, namespace, request.thread_id,
                                      request.model_dump(mode="json", by_alias=True),
                                      request.after_seconds)
            queue_job_id = await self._queue.defer(conn, str(job_id), request.after_seconds)
            await jobs_sql.set_queue_job(conn, job_id, queue_job_id)
            job = await jobs_sql.written_job(conn, job_id)
            if also is not None:
                await also(conn, job)
            return job

    async def _record_stale(self, conn: AsyncConnection, job_id: uuid.UUID,
                            namespace: tuple[str, ...], request: ExtractionJobRequest,
                            keeper: JobRecord, also: Also | None) -> JobRecord:
        """An earlier snapshot of a conversation already queued or running: recorded as
        superseded by that job, which stays, and never run."""
        await jobs_sql.insert_job(conn, job_id, namespace, request.thread_id,
                                  request.model_dump(mode="json", by_alias=True),
                                  request.after_seconds)
        await jobs_sql.supersede(conn, job_id, keeper.id, error=(
            f"an earlier snapshot of the conversation job {keeper.id} ({keeper.status}) "
            "extracts; that job stays"))
        job = await jobs_sql.written_job(conn, job_id)
        if also is not None:
            await also(conn, job)
        return job

    async def run(self, job_id: str) -> str:
        """One attempt, called by the worker; answers how it ended (a metric's label).
        Changes and the job's success commit together, so a job re-run after a crash never
        applies twice."""
        ident = uuid.UUID(job_id)
        async with self.pool.connection() as conn:
            if await self._wait_for_earlier(conn, ident):
                return "waiting"
            job = await jobs_sql.start_job(conn, ident)
        if job is None:
            return "skipped"  # finished, cancelled or superseded before it started
        request = ExtractionJobRequest.model_validate(job.request)

        async def succeed(conn: AsyncConnection, result: ExtractionResult) -> None:
            current = await jobs_sql.get_job(conn, ident, for_update=True)
            if current is None or current.status != "running":
                raise NoLongerRunning
            # Every operation rejected is a failure (reasons in `error`), not a clean success;
            # the result keeps what was rejected.
            status = "failed" if result.outcome == "rejected" else "succeeded"
            await jobs_sql.finish(conn, ident, status, result=result.model_dump(mode="json"),
                                  error=rejection_error(result) if status == "failed" else None)

        try:
            result = await self.extraction.extract(request, origin=Origin("extraction", job_id),
                                                   finalize=succeed, background=True)
        except NoLongerRunning:
            log.info("job %s was cancelled while running; its changes were discarded", job_id)
            return "cancelled"
        except LLMError as exc:
            if exc.transient and job.attempts < self.settings.job_max_attempts:
                await self._update(jobs_sql.requeue, ident, f"attempt {job.attempts}: {exc.detail}")
                raise RetryLater(exc.detail) from exc
            await self._update(jobs_sql.finish, ident, "failed", error=exc.detail)
        except AppError as exc:
            await self._update(jobs_sql.finish, ident, "failed", error=exc.detail)
        except OperationalError as exc:  # the database's state, not the job's: run it again
            detail = f"database unavailable: {exc}"
            if job.attempts < self.settings.job_max_attempts:
                # the database may still be away: then the stalled-job reaper requeues it
                with contextlib.suppress(OperationalError):
                    await self._update(jobs_sql.requeue, ident,
                                       f"attempt {job.attempts}: {detail}")
                raise RetryLater(detail) from exc
            await self._update(jobs_sql.finish, ident, "failed", error=detail)
        except Exception as exc:
            log.exception("job %s failed", job_id)
            await self._update(jobs_sql.finish, ident, "failed",
                               error=f"internal error: {type(exc).__name__}: {exc}")
        else:
            return "rejected" if result.outcome == "rejected" else "succeeded"
        return "failed"

    async def hand_back(self, job_id: str) -> None:
        """A run interrupted by shutdown is queued again: the next worker runs it."""
        await self._update(jobs_sql.requeue, uuid.UUID(job_id),
                           "interrupted by a server shutdown; it runs again")

    async def get(self, job_id: uuid.UUID) -> JobRecord:
        async with self.pool.connection() as conn:
            job = await jobs_sql.get_job(conn, job_id)
        if job is None:
            raise NotFound(f"no extraction job {job_id}")
        return job

    async def list(self, namespace_prefix: tuple[str, ...], *, thread_id: str | None,
                   status: str | None, limit: int, offset: int) -> list[JobRecord]:
        prefix = validate_namespace(namespace_prefix, field="namespace", allow_empty=True)
        check_page(self.settings, limit, offset)
        async with self.pool.connection() as conn:
            return await jobs_sql.list_jobs(conn, prefix, thread_id, status, limit, offset)

    async def cancel(self, job_id: uuid.UUID) -> JobRecord:
        """Cancel a queued job, or a running one before it commits (its changes are dropped)."""
        async with self.pool.connection() as conn, conn.transaction():
            job = await jobs_sql.get_job(conn, job_id, for_update=True)
            if job is None:
                raise NotFound(f"no extraction job {job_id}")
            if job.status not in ACTIVE:
                raise Conflict(f"job {job_id} already {job.status}; only queued or running "
                               "jobs can be cancelled")
            if job.queue_job_id is not None:
                await self._queue.cancel(conn, job.queue_job_id, abort=job.status == "running")
            await jobs_sql.finish(conn, job_id, "cancelled", error="cancelled on request")
            return await jobs_sql.written_job(conn, job_id)

    async def _wait_for_earlier(self, conn: AsyncConnection, job_id: uuid.UUID) -> bool:
        """A thread's jobs run one at a time, oldest first: while an older one is unfinished,
        look again after a poll interval (re-queued, so no worker slot is held meanwhile)."""
        async with conn.transaction():
            job = await jobs_sql.get_job(conn, job_id, for_update=True)
            if job is None or job.status != "queued" or job.thread_id is None:
                return False
            if not await jobs_sql.earlier_active(conn, job):
                return False
            queue_job_id = await self._queue.defer(conn, str(job_id),
                                                  self.settings.job_poll_interval_seconds)
            await jobs_sql.set_queue_job(conn, job_id, queue_job_id)
            return True

    async def _update(self, statement, job_id: uuid.UUID, *args, **kwargs) -> None:
        async with self.pool.connection() as conn:
            await statement(conn, job_id, *args, **kwargs)
