"""A database that is away or cannot write answers 503 with Retry-After, never a 500.

psycopg raises OperationalError (PoolTimeout, a dropped or refused connection, DiskFull with
SQLSTATE 53100, an admin shutdown) for every failure that is the database's state rather
than the request's (procrastinate wraps it in ConnectorException when a job is queued).
Routes get it through an exception handler; middleware that reads the database itself
(idempotency records) through an ASGI guard around them.
"""

import logging
import time

from fastapi import FastAPI, Request
from procrastinate.exceptions import ConnectorException
from psycopg import OperationalError
from psycopg import errors as pg
from starlette.types import Send

from app.errors import DatabaseUnavailable, ErrorResponse
from app.limits.responses import AnswerBeforeStart, send_error

log = logging.getLogger(__name__)

# A full disk is reported by /readyz while writes kept failing this recently.
DISK_FULL_REPORT_SECONDS = 30.0


class DatabaseHealth:
    """What requests learned about the database that a read-only probe cannot see."""

    def __init__(self, retry_after_seconds: float) -> None:
        self.retry_after = max(1, round(retry_after_seconds))
        self.disk_full_at: float | None = None

    def error(self, exc: OperationalError) -> DatabaseUnavailable:
        if isinstance(exc, pg.DiskFull):
            self.disk_full_at = time.monotonic()
            log.error("database disk full: %s", exc)
            return DatabaseUnavailable(
                "the database is out of disk space, so nothing was written; retry once an "
                "operator has freed space", self.retry_after)
        log.warning("database unavailable: %s: %s", type(exc).__name__, exc)
        return DatabaseUnavailable("the database is unavailable; retry in a few seconds",
                                   self.retry_after)

    def disk_problem(self) -> str | None:
        if self.disk_full_at is None:
            return None
        ago = time.monotonic() - self.disk_full_at
        if ago > DISK_FULL_REPORT_SECONDS:
            return None
        return f"database disk full: a write failed {ago:.0f} s ago"


def _health(app: FastAPI) -> DatabaseHealth:
    runtime = getattr(app.state, "runtime", None)
    if runtime is not None:
        return runtime.db_health
    return DatabaseHealth(app.state.settings.db_unavailable_timeout_seconds)


def database_error(exc: BaseException) -> OperationalError | None:
    """The database failure behind `exc`, if that is what it is."""
    cause = exc.__cause__ if isinstance(exc, ConnectorException) else exc
    return cause if isinstance(cause, OperationalError) else None


async def _render(request: Request, exc: Exception) -> ErrorResponse:
    cause = database_error(exc)
    if cause is None:
        raise exc  # another procrastinate error: a 500, logged as any other
    error = _health(request.app).error(cause)
    return ErrorResponse({"detail": error.detail}, status_code=503, headers=error.headers)


class DatabaseUnavailableGuard(AnswerBeforeStart):
    """For errors raised outside a route (middleware), before the answer started."""

    catches = (OperationalError, ConnectorException)

    async def answer(self, exc: BaseException, send: Send) -> bool:
        cause = database_error(exc)
        if cause is None:
            return False
        error = _health(self.fastapi_app).error(cause)
        await send_error(send, 503, error.detail,
                         retry_after=int((error.headers or {})["Retry-After"]))
        return True


def install_database_unavailable(app: FastAPI) -> None:
    app.add_exception_handler(OperationalError, _render)
    app.add_exception_handler(ConnectorException, _render)
    app.add_middleware(DatabaseUnavailableGuard, fastapi_app=app)
