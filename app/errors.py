"""Errors as classes that carry their HTTP status, rendered by one handler.

Bodies keep FastAPI's {"detail": ...} shape, which langgraph_sdk reads, and the OpenAPI
schema documents that shape for every error the routes answer.
"""

import json
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg import errors as pg


class AppError(Exception):
    status_code = 500
    headers: dict[str, str] | None = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BadRequest(AppError):
    status_code = 400


class Unauthorized(AppError):
    status_code = 401
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status_code = 403


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class PayloadTooLarge(AppError):
    status_code = 413


class InvalidInput(AppError):
    """Input that parsed but cannot be accepted (bad namespace, unknown filter operator...)."""

    status_code = 422


class ServiceUnavailable(AppError):
    status_code = 503


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached, or cannot write (a full disk): nothing was done, and
    the same request may succeed after Retry-After seconds."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class ErrorResponse(JSONResponse):
    """An error echoes the input it refuses, which may hold what UTF-8 cannot encode (a lone
    surrogate such as \\udbd7 from a JSON escape): such characters become '?', not a 500."""

    def render(self, content: Any) -> bytes:
        try:
            text = json.dumps(content, ensure_ascii=False, allow_nan=False,
                              separators=(",", ":"))
        except (ValueError, RecursionError):  # an echoed NaN or Infinity, or a very deep input
            text = json.dumps(_printable(content, 32), ensure_ascii=False,
                              separators=(",", ":"))
        return text.encode("utf-8", errors="replace")


def _printable(value: Any, levels: int) -> Any:
    """`value` as JSON can say it: NaN and Infinity as text, past `levels` levels '...'."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if not isinstance(value, dict | list | tuple):
        return value
    if levels == 0:
        return "..."
    if isinstance(value, dict):
        return {str(k): _printable(v, levels - 1) for k, v in value.items()}
    return [_printable(v, levels - 1) for v in value]


async def _render(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return ErrorResponse({"detail": exc.detail}, status_code=exc.status_code,
                         headers=exc.headers)


async def _render_validation(_: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own 422 (the list of what failed validation, where), safely encoded."""
    assert isinstance(exc, RequestValidationError)
    return ErrorResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)


async def _out_of_range(_: Request, exc: Exception) -> JSONResponse:
    """A number or duration from the request too large for the database (an offset past
    bigint, a TTL past the year 294276) is the request's fault: 422, not 500. Routes check
    their ranges; this answers for one that does not."""
    assert isinstance(exc, pg.DataError)
    return ErrorResponse({"detail": f"a number in the request is out of range "
                          f"({exc.diag.message_primary}); send a smaller one"}, status_code=422)


OUT_OF_RANGE = (pg.NumericValueOutOfRange, pg.DatetimeFieldOverflow, pg.IntervalFieldOverflow)


def install_error_handler(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _render)
    app.add_exception_handler(RequestValidationError, _render_validation)
    for error in OUT_OF_RANGE:
        app.add_exception_handler(error, _out_of_range)
    generate = app.openapi
    app.openapi = lambda: document_errors(generate())  # type: ignore[method-assign]


# -- OpenAPI: the error bodies as they are sent ----------------------------------------------

COMPONENTS = "#/components/schemas/"
ERROR = {"title": "Error", "type": "object", "required": ["detail"],
         "properties": {"detail": {"type": "string", "title": "Detail",
                                   "description": "What is wrong and what to fix"}}}
# A 422 is FastAPI's list of validation errors, or our InvalidInput's sentence.
VALIDATION_DETAIL = {"title": "Detail", "anyOf": [
    {"type": "string"}, {"type": "array", "items": {"$ref": COMPONENTS + "ValidationError"}}]}
UNREADABLE_BODY = {"description": "The body could not be read as JSON (not UTF-8)"}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every documented 4xx/5xx its body schema, 422 both of its shapes, and every JSON
    body the 400 FastAPI answers when it cannot decode one. Idempotent."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    if "HTTPValidationError" in components:
        components["HTTPValidationError"]["properties"]["detail"] = VALIDATION_DETAIL
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                responses.setdefault("400", dict(UNREADABLE_BODY))
            for status, response in responses.items():
                if status[0] in "45" and "content" not in response:
                    body = "HTTPValidationError" if status == "422" else "Error"
                    response["content"] = {
                        "application/json": {"schema": {"$ref": COMPONENTS + body}}}
            operation["responses"] = dict(sorted(responses.items()))
    return schema
