"""LangMem's memory value shape: {"kind": <name>, "content": {...}}."""

from typing import Any

DEFAULT_KIND = "Memory"
# TTLs are minutes; 1000 years keeps now() + ttl within what Postgres intervals and
# timestamps hold (a larger one failed there as a 500).
MAX_TTL_MINUTES = 1000 * 365 * 24 * 60


def memory_value(kind: str, content: str | dict[str, Any]) -> dict[str, Any]:
    """Text becomes {"content": text}, as LangMem's memory manager stores it."""
    body = {"content": content} if isinstance(content, str) else content
    return {"kind": kind, "content": body}


def as_memory_value(value: dict[str, Any]) -> dict[str, Any]:
    """Read any stored value as a memory: items written by LangMem's manage tool
    ({"content": "..."}) or by other LangGraph code carry no kind and read as "Memory"."""
    if isinstance(value.get("kind"), str) and "content" in value:
        return value
    return {"kind": DEFAULT_KIND, "content": value}
