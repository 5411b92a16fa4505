"""Which namespaces an Idempotency-Key record's replay could show, so that forget erases the
replays of what it forgets: those its request names and those its stored answer names.
None means unknown, and every forget erases such a record."""

from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from app.errors import AppError
from app.memories.namespaces import fill_template, validate_namespace

Namespaces = frozenset[str] | None  # dotted, as the store's prefix column holds them

NOT_JSON = object()


def requested(path: str, body: Any) -> Namespaces:
    """What the request body names, per route; None when it does not say (not JSON, not the
    route's shape, a {user_id} template that only the API key's identity fills)."""
    try:
        if path == "/v1/memories":
            found: list[Sequence[str]] = [_labels(body["namespace"])]
        elif path == "/v1/memories/batch":
            found = [_labels(item["namespace"]) for item in body["items"]]
        else:  # the extraction routes: a template filled from config, as the route fills it
            config = body.get("config") or {}
            if not isinstance(config, dict):
                return None
            found = [fill_template(_labels(body["namespace"]), config)]
        return frozenset(".".join(validate_namespace(labels)) for labels in found)
    except (AppError, LookupError, TypeError, AttributeError, ValueError):
        return None


def answered(body: Any) -> frozenset[str]:
    """Every valid `"namespace": [labels]` in a JSON answer, at any depth: a memory, a batch,
    an extraction's changes, a job, a 422 echoing the request."""
    found, stack = set(), [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            with suppress(AppError, TypeError):
                found.add(".".join(validate_namespace(_labels(node.get("namespace")))))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(found)


def stored(request: Namespaces, status: int, answer: Any) -> Namespaces:
    """The record's namespaces once answered. A request we could not read stays unknown,
    unless it succeeded: the routes' answers name every namespace they touched."""
    names = answered(answer)
    if request is not None:
        return request | names
    return names if 200 <= status < 300 and names else None


def _labels(value: Any) -> list[str]:
    # NUL cannot be stored in Postgres text: such a namespace never reached the store either
    if not isinstance(value, list) or not all(isinstance(label, str) and "\x00" not in label
                                              for label in value):
        raise TypeError("not a list of storable labels")
    return value
