"""Bodies of the jobs API."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.domain.jobs import JobRecord
from app.extraction.schemas import ExtractionResult

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class Job(BaseModel):
    id: uuid.UUID
    status: JobStatus
    namespace: list[str]
    thread_id: str | None
    attempts: int
    error: str | None = Field(description="Why it failed (every operation rejected: the "
                              "reasons), was cancelled, or is being retried")
    result: ExtractionResult | None = Field(description="What it created, updated and deleted")
    superseded_by: uuid.UUID | None = Field(description="The job that replaced it: a newer "
                                            "submission, or the queued or running one whose "
                                            "conversation already holds all of this one's")
    created_at: datetime
    due_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_record(cls, job: JobRecord) -> "Job":
        return cls(id=job.id, status=job.status, namespace=list(job.namespace),
                   thread_id=job.thread_id, attempts=job.attempts, error=job.error,
                   result=job.result, superseded_by=job.superseded_by,
                   created_at=job.created_at, due_at=job.due_at, started_at=job.started_at,
                   finished_at=job.finished_at)


class JobList(BaseModel):
    jobs: list[Job]
