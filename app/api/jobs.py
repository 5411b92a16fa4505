"""v1 jobs: read, list and cancel background extractions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import JobServiceDep
from app.jobs.schemas import Job, JobList, JobStatus
from app.memories.namespaces import parse_dotted

router = APIRouter(prefix="/v1/jobs", tags=["extraction"])


@router.get("", response_model=JobList, summary="List extraction jobs, newest first")
async def list_jobs(jobs: JobServiceDep,
                    namespace: Annotated[str | None, Query(description="Under this namespace "
                                                           "(dotted)")] = None,
                    thread_id: str | None = None, status: JobStatus | None = None,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
                    offset: Annotated[int, Query(ge=0)] = 0) -> JobList:
    found = await jobs.list(parse_dotted(namespace, allow_empty=True), thread_id=thread_id,
                            status=status, limit=limit, offset=offset)
    return JobList(jobs=[Job.from_record(j) for j in found])


@router.get("/{job_id}", response_model=Job, summary="Read a job and its result")
async def get_job(job_id: uuid.UUID, jobs: JobServiceDep) -> Job:
    return Job.from_record(await jobs.get(job_id))


@router.post("/{job_id}/cancel", response_model=Job, summary="Cancel a queued or running job")
async def cancel_job(job_id: uuid.UUID, jobs: JobServiceDep) -> Job:
    return Job.from_record(await jobs.cancel(job_id))
