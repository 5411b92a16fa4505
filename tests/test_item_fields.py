"""An item's fields are declared once (app/domain/items.py): the columns every query selects,
the v1 memory, the /store item and the export line all build on that declaration."""

import json
from dataclasses import fields
from datetime import UTC, datetime

import pytest

from app.api.store_schemas import StoreItem, StoreSearchItem
from app.domain.items import ExpiringView, ItemView, StoredItem
from app.lifecycle.export_line import ExportLine, export_line
from app.memories.schemas import Memory, ScoredMemory
from app.repositories.rows import ITEM_COLUMNS

STORED = {f.name for f in fields(StoredItem)}
DOOR_EXTRAS = {ExportLine: {"index"}}  # a door's own fields, not an item's
T = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)


def test_the_columns_are_the_stored_fields() -> None:
    columns = [c.removeprefix("s.") for c in ITEM_COLUMNS.split(", ")]
    assert {"namespace" if c == "prefix" else c for c in columns} == STORED - {"score"}
    row = {c: object() for c in columns} | {"prefix": "a.b"}
    item = StoredItem.from_row(row)
    assert item.namespace == ("a", "b") and item.score is None
    assert all(getattr(item, c) is row[c] for c in columns if c != "prefix")


@pytest.mark.parametrize("model", [StoreItem, StoreSearchItem, Memory, ScoredMemory,
                                   ExportLine])
def test_doors_extend_the_one_declaration(model: type[ItemView]) -> None:
    assert issubclass(model, ItemView)
    assert set(model.model_fields) - DOOR_EXTRAS.get(model, set()) <= STORED
    for cls in model.__mro__[: model.__mro__.index(ItemView)]:
        redeclared = set(vars(cls).get("__annotations__", {})) & set(ItemView.model_fields)
        assert not redeclared, f"{cls.__name__} re-declares {redeclared}"
    if model in (Memory, ScoredMemory, ExportLine):
        assert issubclass(model, ExpiringView)


def test_a_door_model_is_filled_from_the_item() -> None:
    item = StoredItem(("m", "a"), "k", {"kind": "Memory", "content": {"content": "hi"}}, T, T,
                      expires_at=T, ttl_minutes=5.0, score=0.5)
    shown = ScoredMemory.from_stored(item, item.value)
    assert (shown.namespace, shown.ttl_minutes, shown.expires_at, shown.score) == (
        ["m", "a"], 5.0, T, 0.5)
    assert StoreSearchItem.from_stored(item).score == 0.5


def test_the_export_line_keeps_its_shape() -> None:
    item = StoredItem(("m", "a"), "ké", {"n": 1}, T, T, expires_at=T, ttl_minutes=None)
    line = export_line(item, indexed=True)
    assert line.endswith("\n") and "ké" in line  # one line, UTF-8 as is
    assert json.loads(line) == {"namespace": ["m", "a"], "key": "ké", "value": {"n": 1},
                                "created_at": T.isoformat(), "updated_at": T.isoformat(),
                                "ttl_minutes": None}
    assert json.loads(export_line(item, indexed=False))["index"] is False
