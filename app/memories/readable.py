"""Values as responses can carry them. A value stored before MAX_VALUE_DEPTH existed may nest
deeper than pydantic serializes (255 levels): read as it is, it failed every response that
met it with a 500, a search over every tenant included. Responses show such a value down to
READABLE_DEPTH levels and a marker below; the stored value stays whole (GET /v1/export
streams it as stored, and a write may replace it)."""

from typing import Any

# Above MAX_VALUE_DEPTH's own ceiling (192, app/config.py): every value a door accepts reads
# whole; the responses' own wrapping (list, item, value, kind/content) stays under 255.
READABLE_DEPTH = 200
TOO_DEEP = f"(nested more than {READABLE_DEPTH} levels deep: not shown; GET /v1/export has it)"


def readable(value: Any) -> Any:
    """`value` itself when it nests at most READABLE_DEPTH levels; else a copy with every
    object or list below that level replaced by the TOO_DEEP marker."""
    if _depth_within(value, READABLE_DEPTH):
        return value
    return _cut(value, READABLE_DEPTH)


def _depth_within(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return True


def _cut(value: Any, levels: int) -> Any:
    """A copy keeping `levels` levels of objects and lists (recursion is bounded by them)."""
    if not isinstance(value, dict | list):
        return value
    if levels == 0:
        return TOO_DEEP
    if isinstance(value, dict):
        return {key: _cut(child, levels - 1) for key, child in value.items()}
    return [_cut(child, levels - 1) for child in value]
