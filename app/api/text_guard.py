"""Refuse text PostgreSQL cannot store (app/memories/storable.py) before a route acts on it:
in the path, the query or the JSON body, object keys included, with a 422 naming where."""

import contextlib
import json
from typing import Any

from fastapi import Depends, Request

from app.errors import InvalidInput
from app.memories.storable import first_unstorable


async def storable_text(request: Request) -> None:
    sources: list[tuple[Any, str]] = [(dict(request.path_params), "path")]
    sources += [({name: value}, "query") for name, value in request.query_params.multi_items()]
    body = await request.body()  # FastAPI has read it already: this is its cached copy
    if body and "json" in request.headers.get("content-type", ""):
        with contextlib.suppress(ValueError):  # not JSON: FastAPI's own validation answers
            sources.append((json.loads(body), "body"))
    for value, where in sources:
        if problem := first_unstorable(value, where):
            raise InvalidInput(problem)


STORABLE_TEXT = Depends(storable_text)
