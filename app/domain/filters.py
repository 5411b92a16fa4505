"""Search filters: LangGraph's filter dialect parsed into typed conditions.

`{"kind": "Memory"}` is equality, `{"price": {"$gt": 4.99}}` a comparison, and a nested
object `{"content": {"lang": "en"}}` descends into the value, as LangGraph's InMemoryStore
matches. Comparisons compare numbers as numbers and strings as strings; a value of another
type simply does not match.
"""

from dataclasses import dataclass
from typing import Any

from app.errors import InvalidInput

OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte")
_ORDERING = ("$gt", "$gte", "$lt", "$lte")


@dataclass(frozen=True)
class Condition:
    path: tuple[str, ...]
    op: str
    value: Any


def parse_filter(filter: dict[str, Any] | None) -> list[Condition]:
    if not filter:
        return []
    if not isinstance(filter, dict):
        raise InvalidInput("filter must be a JSON object such as {\"kind\": \"Memory\"}")
    conditions: list[Condition] = []
    _collect(filter, (), conditions)
    return conditions


def _collect(filter: dict[str, Any], path: tuple[str, ...], out: list[Condition]) -> None:
    for field, expected in filter.items():
        here = (*path, field)
        if isinstance(expected, dict) and any(k.startswith("$") for k in expected):
            for op, operand in expected.items():
                out.append(_condition(here, op, operand))
        elif isinstance(expected, dict) and expected:
            _collect(expected, here, out)
        else:
            out.append(Condition(here, "$eq", expected))


def _condition(path: tuple[str, ...], op: str, operand: Any) -> Condition:
    name = ".".join(path)
    if op not in OPERATORS:
        raise InvalidInput(
            f"unknown filter operator {op!r} on {name!r}; use one of {', '.join(OPERATORS)}"
        )
    comparable = isinstance(operand, int | float | str) and not isinstance(operand, bool)
    if op in _ORDERING and not comparable:
        raise InvalidInput(f"filter {op} on {name!r} needs a number or a string, got {operand!r}")
    return Condition(path, op, operand)
