"""What the history says a memory was at a time, and how it changed between two times."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from app.errors import InvalidInput

# Net over a window: the state at `since` against the state at `until`.
NetAction = Literal["created", "updated", "deleted", "created_and_deleted"]


@dataclass(frozen=True)
class PastItem:
    """A memory as it stood at a time, and the change that made it so. `created_at` is None
    for a memory created before the history began; `updated_at` and `change_id` are None
    when the time is before its first recorded change (it held that change's old value)."""

    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any]
    created_at: datetime | None
    updated_at: datetime | None
    change_id: int | None


@dataclass(frozen=True)
class NetChange:
    namespace: tuple[str, ...]
    key: str
    action: NetAction
    before: dict[str, Any] | None  # the value at `since`, None if it did not exist then
    after: dict[str, Any] | None  # the value at `until`, None if it did not exist then
    last_value: dict[str, Any]  # held last in the window (for a deletion: the one deleted)
    changes: int  # recorded changes inside the window
    first_changed_at: datetime
    last_changed_at: datetime
    last_change_id: int


def check_window(since: datetime, until: datetime) -> datetime:
    """`until`, when the window (since, until] is one; since == until is an empty window."""
    if since > until:
        raise InvalidInput(f"since ({since.isoformat()}) is later than until "
                           f"({until.isoformat()}): swap them")
    return until
