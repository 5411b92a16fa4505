"""`memory-service serve`'s server processes: one, or WORKERS of them on the one socket.

Each worker is a whole server, as separate replicas on one database are (README "Running
several replicas"): its own app, runtime (pools, job and webhook workers, TTL sweeper) and
embedding model. The parent binds the socket, makes the start-up checks, starts the
embedded Postgres (DATABASE_URL unset) and supervises (app/worker_supervisor.py); workers
get that database's URL, so it stops once, when the parent exits after the last of them.
Migrations run in every worker under the existing lock: the first applies them.
"""

import asyncio
import contextlib
import ctypes
import gc
import logging
import os
import signal
import socket
import sys
import threading
import time

from app.cli_startup import exit_cleanly_on_stop_signals, trace_if_enabled
from app.config import Settings
from app.observability.logging import configure_logging
from app.runtime import database_url
from app.store.embedders import Embedder, EmbedderUnavailable
from app.store.lazy_embedder import load_embedder
from app.worker_supervisor import STARTUP_FAILURE, Supervisor

log = logging.getLogger(__name__)
# A drain takes the grace period, then the runtime closes: a worker still there this much
# later is stuck, and is killed.
STOP_MARGIN_SECONDS = 15.0
ORPHAN_CHECK_SECONDS = 1.0


def serve_one(settings: Settings, listener: socket.socket, embedder: Embedder | None) -> bool:
    """Serve until a stop signal has drained this process; False if it never served."""
    # Imported here: a supervisor never serves, and the web stack is 30 MB of its memory.
    import uvicorn

    from app.http_protocol import guarded_protocol
    from app.main import create_app
    from app.shutdown import DrainingServer

    app = create_app(settings, embedder=embedder)
    # Our middleware logs each request once, with its id: uvicorn's access log is off, and
    # log_config=None leaves uvicorn's own records to our handler. The protocol bounds slow
    # clients' headers and bodies (app/http_protocol.py).
    config = uvicorn.Config(app, host=settings.host, port=settings.port,
                            log_level=settings.log_level, log_config=None, access_log=False,
                            http=guarded_protocol(settings))
    server = DrainingServer(config, app, settings.shutdown_grace_seconds)
    server.run(sockets=[listener])
    return server.started


def serve_workers(settings: Settings, listener: socket.socket) -> int:
    """Run settings.workers server processes until stopped; the command's exit status."""
    _release_freed_memory()  # the model the start-up checks loaded: workers load their own
    url = database_url(settings)  # the embedded Postgres starts here, in the parent only
    worker_settings = settings.model_copy(update={"database_url": url})
    # Closed once the stop begins: with the workers' copies gone, it stops listening, and a
    # new connection is refused at once (as one server's is) rather than left unanswered.
    supervisor = Supervisor(settings.workers, run_worker, (worker_settings, listener),
                            settings.shutdown_grace_seconds + STOP_MARGIN_SECONDS,
                            on_stop=listener.close)
    try:
        return supervisor.run()
    finally:
        listener.close()


def run_worker(settings: Settings, listener: socket.socket) -> None:
    """A worker process (spawned by the supervisor): load the model, then serve."""
    os.setpgrp()  # out of the terminal's group: its Ctrl+C reaches the supervisor only
    exit_cleanly_on_stop_signals()
    configure_logging(settings.log_level, settings.log_format)
    threading.Thread(target=_stop_when_orphaned, args=(os.getppid(),), daemon=True,
                     name="orphan-check").start()
    trace_if_enabled(settings)  # the parent checked that it can
    embedder = None
    if settings.embedding_provider == "fastembed":
        try:
            embedder = asyncio.run(load_embedder(settings))
        except EmbedderUnavailable as exc:  # the parent loaded it: the files went away
            log.error("worker process %s cannot load the model: %s", os.getpid(), exc)
            sys.exit(STARTUP_FAILURE)
    if not serve_one(settings, listener, embedder):
        sys.exit(STARTUP_FAILURE)


def _release_freed_memory() -> None:
    gc.collect()
    # glibc keeps freed memory for reuse, which a supervisor never needs; another C
    # library has no malloc_trim
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _stop_when_orphaned(parent: int) -> None:
    """A supervisor killed (SIGKILL) cannot stop its workers: each then drains itself."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    log.error("worker process %s lost its supervisor; stopping", os.getpid())
    os.kill(os.getpid(), signal.SIGTERM)
