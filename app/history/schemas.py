"""Bodies of the history API."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.domain.history import Change
from app.memories.readable import readable


class ChangeOut(BaseModel):
    id: int
    namespace: list[str]
    key: str
    action: Literal["insert", "update", "delete"]
    old_value: dict[str, Any] | None
    new_value: dict[str, Any] | None
    source: str = Field(description="Who changed it: api, store, tool, mcp, extraction, "
                        "restore, ttl, direct (a write that bypassed the service), or "
                        "baseline (a memory older than the history, recorded by migration "
                        "0014 at its created_at)")
    job_id: str | None = Field(description="The extraction job that made the change")
    changed_at: datetime

    @classmethod
    def from_change(cls, change: Change) -> "ChangeOut":
        return cls(id=change.id, namespace=list(change.namespace), key=change.key,
                   action=change.action, old_value=readable(change.old_value),
                   new_value=readable(change.new_value), source=change.source,
                   job_id=change.job_id,
                   changed_at=change.changed_at)


class HistoryPage(BaseModel):
    changes: list[ChangeOut] = Field(description="Newest first")
