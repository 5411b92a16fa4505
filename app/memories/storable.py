"""Text PostgreSQL cannot store: the NUL character, and unpaired UTF-16 surrogates (a lone
\\ud800-\\udfff JSON escape, which is not UTF-8). Refused up front with a 422 saying so;
left in, they fail deep in the database or the embedder as a 500."""

import re
from collections.abc import Iterator
from typing import Any

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """What in `text` cannot be stored, described; None when all of it can."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "the NUL character (\\u0000)"
    return f"an unpaired surrogate (\\u{ord(found.group()):04x})"


def escaped(text: str) -> str:
    """`text` with what cannot be stored (or shown) written as \\u escapes, for messages."""
    return UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(location, text) of every string in a JSON value, object keys included."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{where}.{escaped(key)}"
            yield inner, key
            yield from strings(item, inner)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings(item, f"{where}[{i}]")


def first_unstorable(value: Any, where: str) -> str | None:
    """'<location> contains <what>' for the first unstorable text in a JSON value."""
    for location, text in strings(value, where):
        if problem := unstorable(text):
            return f"{location.lstrip('.')} contains {problem}, which cannot be stored; remove it"
    return None
