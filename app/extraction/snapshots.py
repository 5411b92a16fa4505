"""Which of two submissions of one thread's conversation is the newer snapshot.

Clients send a growing conversation again and again, and may send it from a thread pool
(LangMem's remote ReflectionExecutor), so arrival order says little. A message is known by its
id when it carries one, else by role and text. A submission is an earlier snapshot of another
when it is a contiguous part of it (a prefix, or the same messages), or an older window of it
(its last messages are the other's first ones, as when a client trims history to a window).
Conversations that share nothing of the kind are different conversations: the later arrival
wins, as before.
"""

from typing import Any

from app.extraction.messages import ROLES, text_of

# Without ids, one repeated message ("ok") proves little: an overlap needs two.
_OVERLAP_BY_TEXT = 2


def _fingerprint(message: Any) -> tuple:
    if isinstance(message, dict):
        ident = message.get("id")
        if isinstance(ident, str) and ident:
            return ("id", ident)
        raw = message.get("role") or message.get("type")
        role = ROLES.get(str(raw).lower(), str(raw)) if raw else None
        return ("text", role, text_of(message.get("content")))
    return ("other", repr(message))


def _contains(outer: list[tuple], inner: list[tuple]) -> bool:
    n = len(inner)
    return any(outer[i:i + n] == inner for i in range(len(outer) - n + 1))


def _tail_meets_head(first: list[tuple], second: list[tuple]) -> bool:
    """Some last messages of `first` are the first messages of `second`."""
    for k in range(min(len(first), len(second)), 0, -1):
        if first[-k:] == second[:k]:
            return k >= (1 if first[-k][0] == "id" else _OVERLAP_BY_TEXT)
    return False


def is_earlier_snapshot(new: list[Any], pending: list[Any]) -> bool:
    """Whether `new` holds nothing `pending` does not already reach past."""
    a = [_fingerprint(m) for m in pending]
    b = [_fingerprint(m) for m in new]
    if not b or _contains(a, b):
        return True
    if _contains(b, a):
        return False
    return _tail_meets_head(b, a) and not _tail_meets_head(a, b)
