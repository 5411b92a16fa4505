"""v1 jobs: read, list and cancel background extractions."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import JobServiceDep
from app.auth.dependencies import PrincipalDep
from app.domain.principal import Principal
from app.errors import NotFound
from app.jobs.schemas import Job, JobList, JobStatus
from app.jobs.service import JobService
from app.memories.query_namespace import parse_ns_query

router = APIRouter(prefix="/v1/jobs", tags=["extraction"])


@router.get("", response_model=JobList, summary="List extraction jobs, newest first")
async def list_jobs(jobs: JobServiceDep, principal: PrincipalDep,
                    namespace: Annotated[str | None, Query(description="Under this namespace "
                                                           "(dotted)")] = None,
                    thread_id: str | None = None, status: JobStatus | None = None,
                    limit: Annotated[int, Query(ge=1)] = 50,
                    offset: Annotated[int, Query(ge=0)] = 0) -> JobList:
    scope = principal.scope(parse_ns_query(namespace, allow_empty=True))
    if scope is None:
        return JobList(jobs=[])
    found = await jobs.list(scope, thread_id=thread_id, status=status, limit=limit,
                            offset=offset)
    return JobList(jobs=[Job.from_record(j) for j in found])


NO_JOB: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such job (or not readable with this key)"}}


@router.get("/{job_id}", response_model=Job, summary="Read a job and its result",
            responses=NO_JOB)
async def get_job(job_id: uuid.UUID, jobs: JobServiceDep, principal: PrincipalDep) -> Job:
    return Job.from_record(await readable_job(jobs, principal, job_id))


@router.post("/{job_id}/cancel", response_model=Job, summary="Cancel a queued or running job",
             responses={**NO_JOB, 409: {"description": "The job already finished"}})
async def cancel_job(job_id: uuid.UUID, jobs: JobServiceDep, principal: PrincipalDep) -> Job:
    principal.require_write((await readable_job(jobs, principal, job_id)).namespace)
    return Job.from_record(await jobs.cancel(job_id))


async def readable_job(jobs: JobService, principal: Principal, job_id: uuid.UUID):
    """A job outside the key's grants answers as one that does not exist."""
    job = await jobs.get(job_id)
    if not principal.can_read(job.namespace):
        raise NotFound(f"no job with id {job_id}")
    return job
