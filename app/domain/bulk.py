"""An import batch's records: what a key holds now, and a line about to be written in bulk
(app/repositories/bulk_import.py), through MemoryService.write_rows."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

Key = tuple[tuple[str, ...], str]


@dataclass
class Current:
    value: Any
    ttl: float | None
    indexed: bool  # any vector at all (a plain store's rows too)
    text: str | None  # the text our vector was computed from


@dataclass
class Row:
    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any]
    ttl: float | None
    text: str | None  # None: kept out of search
    created_at: datetime | None  # None: now() for a new item, kept for an existing one
    updated_at: datetime | None
    existed: bool
    embedding: list[float] | None = None  # set when `text` differs from the stored one
