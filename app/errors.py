"""Errors as classes that carry their HTTP status, rendered by one handler.

Bodies keep FastAPI's {"detail": ...} shape, which langgraph_sdk reads.
"""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


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


async def _render(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def install_error_handler(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _render)
