"""What a JSON value must be before anything stores or acts on it: finite numbers, text
PostgreSQL can store (app/memories/storable.py), and bounded nesting. The one check every
door shares: v1, /store, tools, MCP, import lines, extraction (`check_value`), and every
request body (app/api/text_guard.py).

Why bound nesting: pydantic serializes at most 255 levels (orjson 254), so a value stored
256 deep answered 500 to every read that met it, an admin's search over all tenants too.
Values may nest MAX_VALUE_DEPTH levels (default 64); a request around a value gets
REQUEST_DEPTH_SLACK more (a body's own objects and lists).
"""

import json
import math
from typing import Any

from app.errors import InvalidInput
from app.memories.storable import escaped, unstorable

REQUEST_DEPTH_SLACK = 8
_SHOWN_PATH = 60  # characters of a location shown in a message


def first_problem(value: Any, where: str, *, max_depth: int,
                  value_depth: int | None = None) -> str | None:
    """'<location> <what is wrong>; <what to do>' for the first problem in document order, or
    None. Iterative: no RecursionError however deep. A dict or list is one level; the
    message names MAX_VALUE_DEPTH as `value_depth` (default: max_depth)."""
    stack: list[tuple[Any, str, int]] = [(value, where, 1)]
    while stack:
        item, at, depth = stack.pop()
        if isinstance(item, str):
            if problem := unstorable(item):
                return f"{_shown(at)} contains {problem}, which cannot be stored; remove it"
        elif isinstance(item, float) and not math.isfinite(item):
            return (f"{_shown(at)} is {_non_finite(item)}, which JSON numbers cannot be; "
                    "send a finite number")
        elif isinstance(item, dict | list):
            if depth > max_depth:
                below = at.lstrip(".")
                below = below if len(below) <= 40 else below[:40] + "…"
                return (f"{_shown(where)} is nested more than {max_depth} levels deep (at "
                        f"{below}); values may nest at most {value_depth or max_depth} "
                        "levels (MAX_VALUE_DEPTH)")
            if isinstance(item, dict):
                children = []
                for key, child in item.items():
                    inner = f"{at}.{escaped(key)}"
                    if unstorable(key):  # the key itself, reported as text at its place
                        children.append((key, inner, depth))
                    children.append((child, inner, depth + 1))
            else:
                children = [(child, f"{at}[{i}]", depth + 1) for i, child in enumerate(item)]
            stack.extend(reversed(children))
    return None


def check_value(value: Any, where: str, *, max_depth: int) -> None:
    """Raise a 422 naming the first problem: what every door calls before storing a value."""
    if problem := first_problem(value, where, max_depth=max_depth):
        raise InvalidInput(problem)


def check_request_json(value: Any, where: str, *, max_value_depth: int) -> None:
    """check_value for a whole request body or tool arguments, which wrap values."""
    if problem := first_problem(value, where, max_depth=max_value_depth + REQUEST_DEPTH_SLACK,
                                value_depth=max_value_depth):
        raise InvalidInput(problem)


def loads(text: str | bytes) -> Any:
    """json.loads, with nesting too deep for the parser a ValueError like any bad JSON."""
    try:
        return json.loads(text)
    except RecursionError:
        document = text if isinstance(text, str) else text.decode(errors="replace")
        raise json.JSONDecodeError("nested too deeply to parse", document, 0) from None


def _non_finite(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    return f"{'-' if number < 0 else ''}Infinity (or a number too large, such as 1e400)"


def _shown(location: str) -> str:
    location = location.lstrip(".")
    if len(location) <= _SHOWN_PATH:
        return location
    return location[:_SHOWN_PATH // 2] + "…" + location[-_SHOWN_PATH // 2:]
