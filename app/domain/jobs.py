"""An extraction job: our record of one queued conversation and its outcome."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

ACTIVE = ("queued", "running")  # a job in these states may still change the store


@dataclass
class JobRecord:
    id: uuid.UUID
    namespace: tuple[str, ...]
    thread_id: str | None
    status: str
    request: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    queue_job_id: int | None
    superseded_by: uuid.UUID | None
    created_at: datetime
    due_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "JobRecord":
        return cls(**{**row, "namespace": tuple(row["namespace"].split("."))})
