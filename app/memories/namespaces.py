"""Namespace rules: the ones LangGraph's BaseStore enforces, with messages that say what to fix."""

import string
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.errors import InvalidInput
from app.memories.storable import unstorable

MAX_DEPTH = 16
MAX_LABEL_LENGTH = 256

Missing = Callable[[str, Mapping[str, Any]], str]  # (placeholder, values) -> the message


def validate_namespace(labels: Sequence[str], *, field: str = "namespace",
                       allow_empty: bool = False) -> tuple[str, ...]:
    labels = tuple(labels)
    if not labels and not allow_empty:
        raise InvalidInput(f"{field} must have at least one label, e.g. [\"memories\", \"alice\"]")
    if len(labels) > MAX_DEPTH:
        raise InvalidInput(f"{field} has {len(labels)} labels; at most {MAX_DEPTH} are allowed")
    for label in labels:
        if not isinstance(label, str) or not label:
            raise InvalidInput(f"{field} labels must be non-empty strings, got {label!r}")
        if "." in label:
            raise InvalidInput(f"{field} label {label!r} contains '.', which separates labels")
        if problem := unstorable(label):
            raise InvalidInput(f"{field} label contains {problem}, which cannot be stored; "
                               "remove it")
        if len(label) > MAX_LABEL_LENGTH:
            raise InvalidInput(f"{field} label is longer than {MAX_LABEL_LENGTH} characters")
    if labels and labels[0] == "langgraph":
        raise InvalidInput(f"{field} cannot start with 'langgraph': it is reserved")
    return labels


def parse_dotted(text: str | None, *, field: str = "namespace",
                 allow_empty: bool = False) -> tuple[str, ...]:
    """Parse the dotted form used in query strings: 'memories.alice'."""
    if not text:
        return validate_namespace((), field=field, allow_empty=allow_empty)
    return validate_namespace(text.split("."), field=field, allow_empty=allow_empty)


def fill_template(labels: Sequence[str], values: Mapping[str, Any], *,
                  field: str = "namespace",
                  missing: Missing | None = None) -> tuple[str, ...]:
    """The one template resolver: fill "{user_id}"-style placeholders, ("memories",
    "{user_id}") + user_id=alice, and validate the result. `missing(name, values)` words
    the error for a placeholder without a value, saying where the caller's door takes one."""
    if missing is not None:
        for name in placeholders(labels):
            if name not in values:
                raise InvalidInput(missing(name, values))
    filled = []
    for label in labels:
        try:
            filled.append(label.format_map(values))
        except KeyError as missing:
            raise InvalidInput(
                f"{field} template {label!r} needs a value for {missing.args[0]!r}; "
                f"pass it in config, e.g. {{\"{missing.args[0]}\": \"alice\"}}") from None
        except (ValueError, IndexError):
            raise InvalidInput(f"{field} label {label!r} is not a valid template; "
                               "use {name} placeholders and {{ }} for literal braces") from None
    return validate_namespace(filled, field=field)


def placeholders(labels: Sequence[str]) -> list[str]:
    """The named placeholders of a template, in order; a malformed label has none here
    (fill_template explains it)."""
    names = []
    for label in labels:
        try:
            names += [f for _, f, _, _ in string.Formatter().parse(label) if f]
        except ValueError:
            continue
    return names
