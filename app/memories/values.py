"""LangMem's memory value shape: {"kind": <name>, "content": {...}}."""

from typing import Any

from app.errors import InvalidInput

DEFAULT_KIND = "Memory"
# TTLs are minutes; 1000 years keeps now() + ttl within what Postgres intervals and
# timestamps hold (a larger one failed there as a 500).
MAX_TTL_MINUTES = 1000 * 365 * 24 * 60
# One second: Postgres keeps microseconds, so a tinier TTL expired before the create could
# read the item back (a 404 from a create); under a second nothing could use it anyway.
MIN_TTL_MINUTES = 1 / 60
TTL_RULE = (f"ttl is in minutes and must be at least {MIN_TTL_MINUTES:.6g} (1 second) and at "
            f"most {MAX_TTL_MINUTES} (1000 years); null keeps it forever")


def memory_value(kind: str, content: str | dict[str, Any],
                 occurred_at: str | None = None) -> dict[str, Any]:
    """Text becomes {"content": text}, as LangMem's memory manager stores it. Blank text is
    refused: it would be stored, found by nothing and shown as an empty row. `occurred_at`
    (validated ISO 8601) is kept beside kind and content, where search indexes it."""
    if isinstance(content, str) and not content.strip():
        raise InvalidInput("content is empty or only whitespace; write what to remember")
    body = {"content": content} if isinstance(content, str) else content
    value = {"kind": kind, "content": body}
    if occurred_at is not None:
        value["occurred_at"] = occurred_at
    return value


def as_memory_value(value: dict[str, Any]) -> dict[str, Any]:
    """Read any stored value as a memory: items written by LangMem's manage tool
    ({"content": "..."}) or by other LangGraph code carry no kind and read as "Memory"."""
    if isinstance(value.get("kind"), str) and "content" in value:
        return value
    return {"kind": DEFAULT_KIND, "content": value}
