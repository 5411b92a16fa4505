"""Refuse text PostgreSQL cannot store (app/memories/storable.py) before a route acts on it:
in the path, the query or the JSON body, object keys included, with a 422 naming where.
Installed once for every keyed router (app/main.py)."""

import contextlib
import json
from typing import Any

from fastapi import Depends, Request

from app.errors import InvalidInput
from app.memories.storable import first_unstorable


async def storable_text(request: Request) -> None:
    sources: list[tuple[Any, str]] = [(dict(request.path_params), "path")]
    sources += [({name: value}, "query") for name, value in request.query_params.multi_items()]
    # Only a body FastAPI parses as the route's model: it has read it already (this is its
    # cached copy). A route that streams its body (/v1/import) checks its own lines.
    route = request.scope.get("route")
    if getattr(route, "body_field", None) is not None:
        body = await request.body()
        with contextlib.suppress(ValueError):  # not JSON: FastAPI's own validation answers
            sources.append((json.loads(body), "body"))
    for value, where in sources:
        if problem := first_unstorable(value, where):
            raise InvalidInput(problem)


STORABLE_TEXT = Depends(storable_text)
