"""A stored memory item, as every query returns it and every layer passes it on.

Its fields are declared here once: `StoredItem` is the row (COLUMNS names them), and
`ItemView` the part of it every door shows, which the v1 `Memory`, the `/store` item and
the export line extend with the fields they add.
"""

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Literal, Self

from langgraph.store.base import Item, SearchItem
from pydantic import BaseModel

# upsert: put; insert: 409 on an existing key; update: 404 on a missing one
WriteMode = Literal["upsert", "insert", "update"]


@dataclass
class StoredItem:
    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None
    ttl_minutes: float | None = None
    score: float | None = None  # a search's, not a column

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "StoredItem":
        """From a row holding COLUMNS (app.repositories.rows.ITEM_COLUMNS), plus a score."""
        return cls(namespace=tuple(row["prefix"].split(".")), score=row.get("score"),
                   **{c: row[c] for c in COLUMNS if c != "prefix"})

    def to_item(self) -> Item:
        return Item(value=self.value, key=self.key, namespace=self.namespace,
                    created_at=self.created_at, updated_at=self.updated_at)

    def to_search_item(self) -> SearchItem:
        return SearchItem(namespace=self.namespace, key=self.key, value=self.value,
                          created_at=self.created_at, updated_at=self.updated_at,
                          score=self.score)


# The store table's columns, one per StoredItem field; the namespace is stored dotted.
COLUMNS = tuple("prefix" if f.name == "namespace" else f.name
                for f in fields(StoredItem) if f.name != "score")


class ItemView(BaseModel):
    """The fields of a StoredItem every door shows; a subclass adds others of them (and
    `of` fills every field the subclass has from the item)."""

    namespace: list[str]
    key: str
    value: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, item: StoredItem, **shown: Any) -> Self:
        """`shown` overrides or adds fields: the value as shown, an export's index flag."""
        held = {name: getattr(item, name) for name in cls.model_fields if hasattr(item, name)}
        return cls(**{**held, "namespace": list(item.namespace), **shown})


class ExpiringView(ItemView):
    """With the item's time to live: v1 memories, export lines."""

    ttl_minutes: float | None = None
    expires_at: datetime | None = None
