"""Time filters and list order: created/updated after/before, as SQL conditions on the
item's own columns (not its value), and the order of a listing.

A bound is an ISO 8601 date or date-time; a date means its start, and a time without an
offset is UTC. `after` is inclusive and `before` exclusive, so adjacent windows never share
an item."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from app.domain.filters import Condition
from app.errors import InvalidInput

FORMAT = "an ISO 8601 date or date-time such as 2024-05-01 or 2024-05-01T09:30:00+02:00"
COLUMNS = {"created": "created_at", "updated": "updated_at"}
Sort = Literal["created", "updated"]
Order = Literal["asc", "desc"]


@dataclass(frozen=True)
class ColumnCondition(Condition):
    """A comparison on a column of the item (path: one name of COLUMNS' values)."""


def parse_instant(field: str, text: str | None) -> datetime | None:
    if text is None or text == "":
        return None
    try:
        moment = datetime.fromisoformat(text)  # a date alone parses as its midnight
    except ValueError:
        raise InvalidInput(f"{field} must be {FORMAT}; got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class TimeRange:
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None

    @classmethod
    def parse(cls, *, created_after: str | None = None, created_before: str | None = None,
              updated_after: str | None = None, updated_before: str | None = None
              ) -> "TimeRange":
        bounds = cls(parse_instant("created_after", created_after),
                     parse_instant("created_before", created_before),
                     parse_instant("updated_after", updated_after),
                     parse_instant("updated_before", updated_before))
        for name in COLUMNS:
            after = getattr(bounds, f"{name}_after")
            before = getattr(bounds, f"{name}_before")
            if after and before and after > before:
                raise InvalidInput(f"{name}_after ({after.isoformat()}) is later than "
                                   f"{name}_before ({before.isoformat()})")
        return bounds

    def conditions(self) -> list[Condition]:
        out: list[Condition] = []
        for name, column in COLUMNS.items():
            if (after := getattr(self, f"{name}_after")) is not None:
                out.append(ColumnCondition((column,), "$gte", after))
            if (before := getattr(self, f"{name}_before")) is not None:
                out.append(ColumnCondition((column,), "$lt", before))
        return out


@dataclass(frozen=True)
class ListOrder:
    """A listing's order; the default (updated, newest first) is what lists always had."""

    sort: Sort = "updated"
    order: Order = "desc"

    @property
    def column(self) -> str:
        return COLUMNS[self.sort]
