"""v1 jobs: the conversation an extraction job was submitted with, as the page shows it."""

import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.deps import JobServiceDep
from app.api.jobs import NO_JOB, readable_job
from app.auth.dependencies import PrincipalDep

router = APIRouter(prefix="/v1/jobs", tags=["extraction"])


class JobConversation(BaseModel):
    messages: list[dict[str, Any]]


@router.get("/{job_id}/conversation", response_model=JobConversation,
            summary="The messages a job was submitted with", responses=NO_JOB)
async def job_conversation(job_id: uuid.UUID, jobs: JobServiceDep,
                           principal: PrincipalDep) -> JobConversation:
    job = await readable_job(jobs, principal, job_id)
    return JobConversation(messages=list(job.request.get("messages") or []))
