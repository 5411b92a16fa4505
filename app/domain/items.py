"""A stored memory item, as every query returns it and every layer passes it on."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from langgraph.store.base import Item, SearchItem

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
    score: float | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "StoredItem":
        """From a row selected with app.repositories.rows.ITEM_COLUMNS (plus a score)."""
        return cls(
            namespace=tuple(row["prefix"].split(".")),
            key=row["key"],
            value=row["value"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            expires_at=row["expires_at"],
            ttl_minutes=row["ttl_minutes"],
            score=row.get("score"),
        )

    def to_item(self) -> Item:
        return Item(value=self.value, key=self.key, namespace=self.namespace,
                    created_at=self.created_at, updated_at=self.updated_at)

    def to_search_item(self) -> SearchItem:
        return SearchItem(namespace=self.namespace, key=self.key, value=self.value,
                          created_at=self.created_at, updated_at=self.updated_at,
                          score=self.score)
