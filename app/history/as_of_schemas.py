"""Bodies of the "as of" and "changes" API: the past, read from the history."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.domain.as_of import NetAction, NetChange, PastItem
from app.memories.readable import readable
from app.memories.values import as_memory_value


def shown(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A value as v1 shows a memory's: {"kind", "content"}, cut when nested too deep."""
    return None if value is None else readable(as_memory_value(value))


class MemoryAsOf(BaseModel):
    namespace: list[str]
    key: str
    value: dict[str, Any]
    created_at: datetime | None = Field(description="When the history recorded its creation "
                                        "(the latest one, if it was deleted and re-created); "
                                        "null: before the history began, date unknown")
    updated_at: datetime | None = Field(description="Its last recorded change at or before "
                                        "`at`; null: before the history began")
    change_id: int | None = Field(description="That change (GET /v1/history/{id}; restore it "
                                  "with POST /v1/history/{id}/restore); null before the "
                                  "history began")

    @classmethod
    def of(cls, item: PastItem) -> "MemoryAsOf":
        return cls(namespace=list(item.namespace), key=item.key, value=shown(item.value),
                   created_at=item.created_at, updated_at=item.updated_at,
                   change_id=item.change_id)


class AsOfPage(BaseModel):
    at: datetime = Field(description="The time read, as understood (UTC when none was given)")
    items: list[MemoryAsOf] = Field(description="By namespace, then key")
    limit: int
    offset: int


class NetChangeOut(BaseModel):
    namespace: list[str]
    key: str
    action: NetAction = Field(description="created: absent at `since`, present at `until`; "
                              "deleted: the reverse; updated: present at both with different "
                              "values; created_and_deleted: absent at both, present in between")
    before: dict[str, Any] | None = Field(description="Its value at `since`; null: absent")
    after: dict[str, Any] | None = Field(description="Its value at `until`; null: absent")
    last_value: dict[str, Any] = Field(description="The last value it held in the window "
                                       "(for a deletion, the value deleted)")
    changes: int = Field(description="Recorded changes in the window (GET /v1/history lists "
                         "each)")
    first_changed_at: datetime
    last_changed_at: datetime
    last_change_id: int

    @classmethod
    def of(cls, change: NetChange) -> "NetChangeOut":
        last = shown(change.last_value)
        assert last is not None  # every change in the window holds a value
        return cls(namespace=list(change.namespace), key=change.key, action=change.action,
                   before=shown(change.before), after=shown(change.after), last_value=last,
                   changes=change.changes, first_changed_at=change.first_changed_at,
                   last_changed_at=change.last_changed_at,
                   last_change_id=change.last_change_id)


class ChangesPage(BaseModel):
    since: datetime
    until: datetime = Field(description="As understood: now when none was given (pass it "
                            "for pages that stay put while writes go on)")
    changes: list[NetChangeOut] = Field(description="By namespace, then key")
    limit: int
    offset: int
