"""Runs and threads of LangGraph's API as a thin door over extraction jobs.

A run IS an extraction job (run_id = job id): its assistant_id names an extraction profile,
its input.messages are the conversation, config.configurable.namespace is the namespace
template, and the other configurable values, the run's context and its thread's metadata fill
the template's placeholders. Multitask strategies act on the thread's unfinished jobs into the
same namespace, the job service's debounce key. Threads are per API key (app/runs/scope.py): a
run's thread is created, if new, in its job's transaction.
"""

import asyncio
import contextlib
import time
import uuid
from collections.abc import Mapping
from functools import partial
from typing import Any

from pydantic import ValidationError

from app.auth.access import authorize_template
from app.domain.caps import check_page
from app.domain.jobs import ACTIVE, JobRecord
from app.domain.principal import Principal
from app.domain.runs import RunRecord, ThreadRecord
from app.errors import Conflict, InvalidInput, NotFound
from app.extraction.schemas import ExtractionJobRequest
from app.jobs.service import JobService, Replace
from app.repositories import runs as runs_sql
from app.repositories.connection import AsyncConnection, AsyncConnectionPool
from app.runs.messages import input_messages
from app.runs.profiles import ProfileService
from app.runs.schemas import Run, RunCreate, Thread, ThreadCreate
from app.runs.scope import MAX_THREAD_ID, job_thread_key, owner

RUN_STATUS = {"queued": "pending", "running": "running", "succeeded": "success",
              "failed": "error", "cancelled": "interrupted"}
JOB_STATUS = {v: k for k, v in RUN_STATUS.items()}
# An extraction commits all or nothing, so interrupting one keeps no partial progress:
# interrupt and rollback both replace the thread's unfinished runs.
REPLACE: dict[str, Replace] = {"rollback": "active", "interrupt": "active", "enqueue": "none",
                               "reject": "reject"}
UNSUPPORTED = {"command": "resuming with a command", "checkpoint": "checkpoints",
               "checkpoint_id": "checkpoints", "interrupt_before": "interrupts",
               "interrupt_after": "interrupts", "webhook": "webhooks (poll the run instead)"}
JOIN_TIMEOUT_SECONDS = 300.0
JOIN_POLL_SECONDS = 0.2


class RunService:
    def __init__(self, pool: AsyncConnectionPool, jobs: JobService,
                 profiles: ProfileService) -> None:
        self.pool = pool
        self.jobs = jobs
        self.profiles = profiles

    # -- runs ------------------------------------------------------------------------------

    async def create(self, thread_id: str | None, body: RunCreate, principal: Principal) -> Run:
        """Create a run on the thread (None: a stateless run on a new thread). The key's
        identity fills {user_id}; the namespace must be one the key may write."""
        for name, what in UNSUPPORTED.items():
            if getattr(body, name) not in (None, [], {}):
                raise InvalidInput(f"{name}: extraction runs do not support {what}")
        profile = await self.profiles.get(body.assistant_id)
        thread: ThreadRecord | None = None
        if thread_id is None:
            thread_id = str(uuid.uuid4())
        else:
            if len(thread_id) > MAX_THREAD_ID:
                raise InvalidInput(f"thread_id has {len(thread_id)} characters; at most "
                                   f"{MAX_THREAD_ID}")
            async with self.pool.connection() as conn:
                thread = await runs_sql.get_thread(conn, owner(principal), thread_id)
            if thread is None and body.if_not_exists != "create":
                raise NotFound(f"thread {thread_id!r} not found; pass if_not_exists=\"create\" "
                               "to create it with the run, or POST /threads first")
        configurable = dict((body.config or {}).get("configurable") or {})
        template = _namespace(configurable.pop("namespace", None), profile.namespace)
        values = _template_values(thread.metadata if thread else {}, body.context or {},
                                  configurable, thread_id=thread_id)
        _, values = authorize_template(principal, template, values,
                                       missing=partial(_open_placeholder, template))
        job_thread = job_thread_key(owner(principal), thread_id)
        try:
            request = ExtractionJobRequest(
                messages=input_messages(body.input), namespace=template, config=values,
                instructions=profile.instructions, kinds=profile.kinds,
                enable_inserts=profile.enable_inserts, enable_updates=profile.enable_updates,
                enable_deletes=profile.enable_deletes, thread_id=job_thread,
                after_seconds=body.after_seconds or 0)
        except ValidationError as exc:
            raise InvalidInput(_validation_message(exc)) from None
        strategy = body.multitask_strategy or "enqueue"
        run_metadata = body.metadata or {}

        async def record(conn: AsyncConnection, job: JobRecord) -> None:
            # In the job's transaction: a run never lands without its thread, or on another's.
            created = await runs_sql.ensure_thread(conn, owner(principal), thread_id)
            await runs_sql.insert_run(conn, job.id, created, profile.name, strategy,
                                      run_metadata)

        try:
            job = await self.jobs.submit(request, replace=REPLACE[strategy], also=record)
        except Conflict as exc:
            detail = exc.detail.replace(repr(job_thread), repr(thread_id))  # the key is ours
            raise Conflict(f"multitask_strategy \"reject\": {detail} (use rollback, "
                           "interrupt or enqueue to replace it or run after it)") from None
        return to_run(RunRecord(job, thread_id, profile.name, strategy, run_metadata))

    async def get(self, thread_id: str, run_id: uuid.UUID, principal: Principal) -> Run:
        return to_run(await self._record(thread_id, run_id, principal))

    async def list(self, thread_id: str, principal: Principal, *, status: str | None,
                   limit: int, offset: int) -> list[Run]:
        check_page(self.jobs.settings, limit, offset)
        async with self.pool.connection() as conn:
            thread = await self._visible_thread(conn, thread_id, principal)
            if status == "timeout":
                return []  # extraction runs never time out
            readable = [g.prefix for g in principal.grants]
            records = await runs_sql.list_runs(conn, thread.id, readable,
                                               JOB_STATUS.get(status or ""), limit, offset)
        return [to_run(r) for r in records]

    async def cancel(self, thread_id: str, run_id: uuid.UUID, principal: Principal) -> Run:
        """Cancel a pending or running run; a running one's changes are discarded. (LangGraph's
        actions interrupt and rollback are the same here: an extraction keeps no partial
        progress.)"""
        record = await self._record(thread_id, run_id, principal)
        principal.require_write(record.job.namespace)
        if record.job.status not in ACTIVE:
            raise Conflict(f"run {run_id} is already {RUN_STATUS[record.job.status]}; only "
                           "pending or running runs can be cancelled")
        with contextlib.suppress(Conflict):  # it finished meanwhile: answer with what it is
            await self.jobs.cancel(run_id)
        return await self.get(thread_id, run_id, principal)

    async def join(self, thread_id: str, run_id: uuid.UUID,
                   principal: Principal) -> dict[str, Any]:
        """Wait for the run to finish; its result, or {"__error__": ...} as LangGraph answers."""
        deadline = time.monotonic() + JOIN_TIMEOUT_SECONDS
        while True:
            record = await self._record(thread_id, run_id, principal)
            if record.job.status not in ACTIVE:
                break
            if time.monotonic() > deadline:
                raise Conflict(f"run {run_id} is still {RUN_STATUS[record.job.status]} after "
                               f"{JOIN_TIMEOUT_SECONDS:.0f}s; join again")
            await asyncio.sleep(JOIN_POLL_SECONDS)
        if record.job.status == "succeeded":
            return record.job.result or {}
        return {"__error__": {"error": RUN_STATUS[record.job.status],
                              "message": record.job.error or ""}}

    async def _record(self, thread_id: str, run_id: uuid.UUID,
                      principal: Principal) -> RunRecord:
        async with self.pool.connection() as conn:
            thread = await self._visible_thread(conn, thread_id, principal)
            record = await runs_sql.get_run(conn, thread.id, run_id)
        if record is None or not principal.can_read(record.job.namespace):
            raise NotFound(f"no run {run_id} on thread {thread_id!r}")
        return record

    # -- threads ---------------------------------------------------------------------------

    async def create_thread(self, body: ThreadCreate, principal: Principal) -> Thread:
        for name in ("supersteps", "ttl"):
            if getattr(body, name) is not None:
                raise InvalidInput(f"{name}: not supported for extraction threads")
        thread_id = body.thread_id or str(uuid.uuid4())
        async with self.pool.connection() as conn:
            created = await runs_sql.insert_thread(conn, owner(principal), thread_id,
                                                   body.metadata or {})
            if created is None:  # only ever the caller's own thread
                if body.if_exists == "do_nothing":
                    return await self._thread(conn, thread_id, principal)
                raise Conflict(f"thread {thread_id!r} exists; pass if_exists=\"do_nothing\" "
                               "to get it, or PATCH it to change its metadata")
            return await self._view(conn, created)

    async def get_thread(self, thread_id: str, principal: Principal) -> Thread:
        async with self.pool.connection() as conn:
            return await self._thread(conn, thread_id, principal)

    async def update_thread(self, thread_id: str, metadata: dict[str, Any],
                            principal: Principal) -> Thread:
        async with self.pool.connection() as conn:
            thread = await self._visible_thread(conn, thread_id, principal)
            updated = await runs_sql.merge_thread_metadata(conn, thread.id, metadata)
            if updated is None:
                raise NotFound(f"thread {thread_id!r} not found")
            return await self._view(conn, updated)

    async def _thread(self, conn: AsyncConnection, thread_id: str,
                      principal: Principal) -> Thread:
        return await self._view(conn, await self._visible_thread(conn, thread_id, principal))

    @staticmethod
    async def _visible_thread(conn: AsyncConnection, thread_id: str,
                              principal: Principal) -> ThreadRecord:
        """The caller's own thread of that id: another key's is another thread."""
        found = await runs_sql.get_thread(conn, owner(principal), thread_id)
        if found is None:
            raise NotFound(f"thread {thread_id!r} not found")
        return found

    @staticmethod
    async def _view(conn: AsyncConnection, thread: ThreadRecord) -> Thread:
        busy, last = await runs_sql.thread_job_statuses(conn, thread.id)
        status = "busy" if busy else "error" if last == "failed" else "idle"
        return Thread(thread_id=thread.thread_id, created_at=thread.created_at,
                      updated_at=thread.updated_at, metadata=thread.metadata, status=status)


def to_run(record: RunRecord) -> Run:
    job = record.job
    status = RUN_STATUS[job.status]
    return Run(run_id=job.id, thread_id=record.thread_id, assistant_id=record.assistant_id,
               created_at=job.created_at,
               updated_at=max(t for t in (job.created_at, job.started_at, job.finished_at) if t),
               status=status, metadata=record.metadata,
               multitask_strategy=record.multitask_strategy,
               cancel_reason=job.error if status == "interrupted" else None,
               namespace=list(job.namespace), error=job.error, result=job.result,
               superseded_by=job.superseded_by)


def _namespace(sent: Any, default: list[str]) -> list[str]:
    """config.configurable.namespace: a list of labels (LangMem sends its tuple) or one label."""
    if sent is None:
        return list(default)
    if isinstance(sent, str):
        return [sent]
    if isinstance(sent, list | tuple) and sent and all(isinstance(x, str) for x in sent):
        return list(sent)
    raise InvalidInput("config.configurable.namespace must be a list of labels, e.g. "
                       "[\"memories\", \"{user_id}\"]")


def _template_values(*sources: dict[str, Any], thread_id: str) -> dict[str, str]:
    """Scalar values from thread metadata, then context, then configurable (later wins),
    and the thread id."""
    values: dict[str, str] = {}
    for source in sources:
        for key, value in source.items():
            if isinstance(value, bool):
                values[key] = str(value).lower()
            elif isinstance(value, str | int | float):
                values[key] = str(value)
    values["thread_id"] = thread_id
    return values


def _open_placeholder(template: list[str], field: str, values: Mapping[str, Any]) -> str:
    """Say which placeholder is open and where a LangMem user can give it."""
    return (f"namespace template {template} needs a value for {field!r}. A run fills "
            "placeholders from config.configurable, context and its thread's metadata "
            f"(this one has: {', '.join(sorted(values))}). LangMem's remote "
            "ReflectionExecutor sends only thread_id and namespace in "
            "config.configurable, so bind the value to the thread once: "
            f"client.threads.create(thread_id=..., metadata={{\"{field}\": ...}}, "
            "if_exists=\"do_nothing\") or PATCH /threads/{thread_id}")


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}"
                     for e in exc.errors())
