"""Refuse what no route may act on (app/memories/json_guard.py) before it does: text
PostgreSQL cannot store, in the path, the query or the JSON body (object keys included);
NaN and Infinity, which Python's JSON parser accepts (a 1e400 becomes Infinity); and a body
nested deeper than any value may be. A 422 names where. Installed once for every keyed router
(app/main.py)."""

import contextlib
from typing import Any

from fastapi import Depends, Request

from app.errors import InvalidInput
from app.memories.json_guard import check_request_json, loads
from app.memories.storable import first_unstorable


async def storable_text(request: Request) -> None:
    sources: list[tuple[Any, str]] = [(dict(request.path_params), "path")]
    sources += [({name: value}, "query") for name, value in request.query_params.multi_items()]
    for value, where in sources:
        if problem := first_unstorable(value, where):
            raise InvalidInput(problem)
    # Only a body FastAPI parses as the route's model: it has read it already (this is its
    # cached copy). A route that streams its body (/v1/import) checks its own lines.
    route = request.scope.get("route")
    if getattr(route, "body_field", None) is not None:
        body = await request.body()
        with contextlib.suppress(ValueError):  # not JSON: FastAPI's own validation answers
            parsed = loads(body)
            check_request_json(parsed, "body",
                               max_value_depth=request.app.state.settings.max_value_depth)


STORABLE_TEXT = Depends(storable_text)
