"""Bodies of the data-ownership API."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ForgetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"namespace_prefix": ["memories", "alice"], "dry_run": True}]})

    namespace_prefix: list[str] = Field(min_length=1, description="Erase this namespace and "
                                        "everything below it")
    dry_run: bool = Field(False, description="Only count what would be removed")


class ForgetCounts(BaseModel):
    items: int
    vectors: int
    history: int = Field(description="History rows (a plain delete keeps them; forget does not)")
    jobs: int = Field(description="Extraction jobs, queued ones cancelled first")
    replays: int = Field(description="Idempotency-Key records naming the prefix, or whose "
                         "namespaces are unknown: a retry with such a key runs again instead "
                         "of replaying its first answer")


class ForgetResult(BaseModel):
    dry_run: bool
    removed: ForgetCounts = Field(description="What was removed, or would be on a dry run")


class ImportResult(BaseModel):
    inserted: int
    updated: int
    unchanged: int
    rejected: list[dict[str, Any]] = Field(description="[{\"line\": n, \"error\": ...}]")


class Stats(BaseModel):
    memories: int
    namespaces: int
    bytes: int = Field(description="Stored size of the values")
    vectors: int
    last_write: datetime | None
    jobs: dict[str, int] = Field(description="Extraction jobs by status")


class NamespaceCount(BaseModel):
    namespace: list[str]
    memories: int = Field(description="Live memories in this namespace itself (not below it)")


class NamespaceCounts(BaseModel):
    namespaces: list[NamespaceCount] = Field(description="In name order")
