"""A question's time cue: "what was Ana up to in May 2023?" names a month. Hybrid search
adds TIME_CUE_BOOST to the fused score of memories whose `occurred_at` falls in it, so the
month's memories come first (measured in bench/conversation_eval, techniques.py: +0.02
recall@10 on dev and on test, +0.06 on temporal questions; chosen on dev among 0.05-0.3).
Memories without a date, and questions without a cue, rank as before."""

import re

TIME_CUE_BOOST = 0.2
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_CUE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)


def month_cue(query: str) -> str | None:
    """'2023-05' for a query naming "May 2023" (the first month named); None without one."""
    found = _CUE.search(query)
    if found is None:
        return None
    return f"{found.group(2)}-{_MONTHS.index(found.group(1).lower()) + 1:02d}"


def in_month(value: dict, cue: str | None) -> bool:
    """Whether a stored value's occurred_at falls in the cue's month: its first 7
    characters (YYYY-MM, as v1 validates it), the test hybrid_exact makes in SQL."""
    raw = value.get("occurred_at") if cue else None
    return isinstance(raw, str) and raw[:7] == cue
