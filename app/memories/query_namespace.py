"""The v1 query-string namespace: labels joined by '.'. A JSON list or a path
('memories/alice') would otherwise parse as one odd label and answer 200 with nothing."""

import json

from app.errors import InvalidInput
from app.memories.namespaces import parse_dotted

# v1 refuses '/' in labels, in bodies as in query strings, so that what it writes it can read.
SLASH_HINT = "labels are joined by '.', not '/'"


def suggest_dotted(text: str) -> str | None:
    """The dotted form the user most likely meant, or None when the text looks right."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            labels = json.loads(stripped)
        except ValueError:
            labels = None
        if isinstance(labels, list) and all(isinstance(x, str) for x in labels):
            return ".".join(labels)
        return ".".join(p.strip(" \"'") for p in stripped.strip("[]").split(","))
    if "/" in text:
        return ".".join(p for p in text.split("/") if p)
    return None


def parse_ns_query(text: str | None, *, field: str = "namespace",
                          allow_empty: bool = False) -> tuple[str, ...]:
    if text and (dotted := suggest_dotted(text)) is not None:
        raise InvalidInput(f"{field} in a query string is its labels joined by '.', e.g. "
                           f"{field}={dotted}; got {text!r}")
    return parse_dotted(text, field=field, allow_empty=allow_empty)


def refuse_slashes(labels: list[str], field: str = "namespace") -> list[str]:
    """v1 bodies: a label with '/' is almost always a path meant as several labels."""
    for label in labels:
        if "/" in label:
            dotted = ".".join(p for lab in labels for p in lab.split("/") if p)
            raise ValueError(f"{field} label {label!r} contains '/': {SLASH_HINT}; write it "
                             f"as a list of labels ({dotted!r} in a query string)")
    return labels
