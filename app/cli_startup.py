"""Starting the server, or refusing to: a refusal is one or two plain lines on stderr and
exit status 2, never a traceback. Everything here runs before logging is configured, the
model is loaded or the socket is served, so nothing else is printed around it."""

import asyncio
import logging
import signal
import socket
import sys
from types import FrameType
from typing import NoReturn

import typer
from psycopg import OperationalError
from psycopg.errors import UndefinedTable
from psycopg_pool import PoolTimeout
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from app.auth.keys import HOW_TO_CREATE, InsecureStart, KeyService, is_loopback
from app.config import Settings
from app.db.migrate import schema_ready
from app.db.pool import open_pool
from app.db.serve_lock import DataFolderInUse, hold_data_folder
from app.lifecycle.embedding_model import EmbeddingModelMismatch, check_embedding_model
from app.observability.otel_sdk import INSTALL_HINT, TracingUnavailable, start_tracing
from app.runtime import database_url
from app.store.embedders import Embedder, EmbedderUnavailable
from app.store.lazy_embedder import load_embedder

REFUSED = 2
SECRET_HINTS = ("KEY", "URL", "PASSWORD", "SECRET", "TOKEN")  # DATABASE_URL holds a password


def refuse(message: str, hint: str = "") -> NoReturn:
    typer.echo(f"memory-service: {message}", err=True)
    if hint:
        typer.echo(hint, err=True)
    raise typer.Exit(REFUSED)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        refuse("invalid settings: " + "; ".join(map(_describe, exc.errors())),
               "fix them in the environment (or .env) and start again")


def _describe(error: ErrorDetails) -> str:
    name = ".".join(map(str, error["loc"])).upper() or "settings"
    text = f"{name}: {error['msg'].removeprefix('Value error, ')}"
    if error["type"] == "too_short" and "min_length" in error.get("ctx", {}):  # a SecretStr
        text = f"{name}: must be at least {error['ctx']['min_length']} characters long"
    shown = repr(str(error["input"])[:60])
    if error["loc"] and not any(hint in name for hint in SECRET_HINTS) and shown not in text:
        text += f" (got {shown})"
    return text


def prepare_to_serve(settings: Settings) -> tuple[socket.socket, Embedder | None]:
    """Every check a server can fail before it serves; returns the socket to serve on and
    the local embedding model, loaded."""
    exit_cleanly_on_stop_signals()
    trace_if_enabled(settings)
    if not settings.database_url:
        try:
            hold_data_folder(settings.memory_data_dir)
        except DataFolderInUse as exc:
            refuse(str(exc), "stop that server first, or set MEMORY_DATA_DIR to another "
                   "folder (other commands may share the folder while it serves)")
    listener = _listen(settings.host, settings.port)
    if not (is_loopback(settings.host) or settings.allow_unauthenticated
            or settings.admin_api_key):
        asyncio.run(_check_exposure(settings))  # may a key exist? ask the database
    embedder = _load_local_model(settings)
    if embedder is not None:
        asyncio.run(_check_model(settings, embedder))
    return listener, embedder


def trace_if_enabled(settings: Settings) -> None:
    """OTEL_ENABLED=true: spans from now on, or a refusal when the [otel] extra is missing."""
    if settings.otel_enabled:
        try:
            start_tracing()
        except TracingUnavailable as exc:
            refuse(str(exc), INSTALL_HINT)


def _load_local_model(settings: Settings) -> Embedder | None:
    """A local model is loaded here, so a missing one is a refusal rather than a traceback
    from the server's start; the server then uses it. A remote one the server reaches."""
    if settings.embedding_provider != "fastembed":
        return None
    try:
        return asyncio.run(load_embedder(settings))
    except EmbedderUnavailable as exc:
        refuse(str(exc))


async def _check_model(settings: Settings, embedder: Embedder) -> None:
    """Vectors another model made cannot be searched with this one (`reindex` fixes it). A
    database away or not migrated yet is checked by the server once it is there."""
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
    try:
        pool = await open_pool(await asyncio.to_thread(database_url, settings), min_size=1,
                               max_size=1, timeout=settings.db_unavailable_timeout_seconds)
    except (OperationalError, PoolTimeout):
        return
    try:
        if await schema_ready(pool):
            await check_embedding_model(pool, embedder)
    except EmbeddingModelMismatch as exc:
        refuse(str(exc))
    except (OperationalError, PoolTimeout):
        return
    finally:
        await pool.close()
        logging.getLogger("psycopg.pool").setLevel(logging.NOTSET)


def _listen(host: str, port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        refuse(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
               "another process may hold it: stop it, or set PORT (or HOST) to another")
    return listener


async def _check_exposure(settings: Settings) -> None:
    # The pool retries an unreachable database for 30 s, warning at each try: one line at
    # the end says it better.
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
    try:
        pool = await open_pool(await asyncio.to_thread(database_url, settings), min_size=1,
                               max_size=1, timeout=settings.db_unavailable_timeout_seconds)
    except (OperationalError, PoolTimeout) as exc:
        refuse(f"cannot reach the database: {exc}", "check DATABASE_URL")
    try:
        await KeyService(pool, settings).check_exposure(settings.host)
    except UndefinedTable:  # a database never migrated holds no key yet
        refuse(f"refusing to listen on {settings.host} with no API key configured: "
               f"{HOW_TO_CREATE}", "or set ALLOW_UNAUTHENTICATED=true to serve without keys")
    except InsecureStart as exc:
        refuse(str(exc))
    finally:
        await pool.close()
        logging.getLogger("psycopg.pool").setLevel(logging.NOTSET)


def exit_cleanly_on_stop_signals() -> None:
    """uvicorn re-raises the SIGTERM or SIGINT that stopped it once it has drained. By
    default SIGTERM would then end the process at once, skipping the exit hooks that stop
    the embedded Postgres; exiting through SystemExit runs them, with the status a shell
    reports for that signal (128 + its number)."""
    def leave(signum: int, frame: FrameType | None) -> None:
        sys.exit(128 + signum)

    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, leave)
