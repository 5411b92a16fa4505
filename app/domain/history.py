"""Who wrote a change, and the change the memory_history trigger recorded."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Origin:
    """Who is writing: recorded with every change the transaction makes."""

    source: str
    job_id: str | None = None


@dataclass
class Change:
    id: int
    namespace: tuple[str, ...]
    key: str
    action: str
    old_value: dict[str, Any] | None
    new_value: dict[str, Any] | None
    source: str
    job_id: str | None
    changed_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Change":
        return cls(id=row["id"], namespace=tuple(row["prefix"].split(".")), key=row["key"],
                   action=row["action"], old_value=row["old_value"],
                   new_value=row["new_value"], source=row["source"], job_id=row["job_id"],
                   changed_at=row["changed_at"])
