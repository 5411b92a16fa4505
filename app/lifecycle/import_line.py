"""One line of an import: parsed and checked as every door checks what it stores, or a
ValueError (or AppError) saying what is wrong, for the report's rejected list."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from app.errors import AppError
from app.memories.json_guard import check_value, loads
from app.memories.keys import check_key
from app.memories.namespaces import validate_namespace
from app.memories.storable import first_unstorable
from app.memories.values import MAX_TTL_MINUTES

_TIME = TypeAdapter(datetime)


@dataclass
class ImportLine:
    number: int
    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any]
    ttl: float | None
    indexed: bool
    created_at: datetime | None
    updated_at: datetime | None


def parse_line(number: int, raw: str | bytes, max_value_depth: int) -> ImportLine | None:
    """The line, or None for a blank one; ValueError (or AppError) says what is wrong."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw  # strict: no U+FFFD
    if not text.strip():
        return None
    data = loads(text)
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    # Our export has "namespace": [...]; a plain store's row has "prefix": "a.b".
    if "namespace" in data:
        labels = data["namespace"]
    elif isinstance(data.get("prefix"), str):
        labels = data["prefix"].split(".")
    else:
        raise ValueError("missing 'namespace' (a list of labels) or 'prefix' (dotted)")
    if not isinstance(labels, list):
        raise ValueError("'namespace' must be a list of labels")
    key, value = data.get("key"), data.get("value")
    if not isinstance(key, str) or not key:
        raise ValueError("'key' must be a non-empty string")
    if not isinstance(value, dict):
        raise ValueError("'value' must be a JSON object")
    ttl = data.get("ttl_minutes", data.get("ttl"))
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int | float)
                            or not 0 < ttl <= MAX_TTL_MINUTES):
        raise ValueError(f"'ttl_minutes' must be a positive number of minutes, at most "
                         f"{MAX_TTL_MINUTES} (1000 years)")
    if problem := first_unstorable({"namespace": labels}, ""):
        raise ValueError(problem)
    namespace = validate_namespace(labels)
    check_key(namespace, key)
    check_value(value, "value", max_depth=max_value_depth)
    return ImportLine(number, namespace, key, value, ttl,
                 data.get("index", True) is not False,
                 _TIME.validate_python(data["created_at"]) if data.get("created_at") else None,
                 _TIME.validate_python(data["updated_at"]) if data.get("updated_at") else None)


def rejection(exc: Exception) -> str:
    if isinstance(exc, AppError):
        return exc.detail
    if isinstance(exc, ValidationError):
        return "bad timestamp: " + exc.errors()[0]["msg"]
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON: {exc.msg}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8: byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"
    return str(exc)
