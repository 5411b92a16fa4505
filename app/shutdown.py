"""Graceful shutdown: uvicorn whose first SIGTERM (or Ctrl+C) drains before it stops serving.

1. /readyz answers 503 at once, so load balancers stop sending work; other routes still
   answer, and what they queue stays in Postgres for the next process.
2. The job worker takes no new jobs (due or not); running ones get SHUTDOWN_GRACE_SECONDS
   to finish, then go back to the queue (app/jobs/queue.py), so nothing is lost.
3. Then uvicorn closes its socket and gives open requests until the same deadline (at least
   a second) before the runtime closes. A second signal closes the HTTP side at once; a
   second Ctrl+C also skips the runtime's orderly close, as uvicorn does. A request still
   running at that deadline is cancelled by uvicorn; CutRequests answers it with a JSON 503
   (Retry-After) instead of uvicorn's plain-text 500, so clients know to retry elsewhere.
"""

import asyncio
import logging
import signal
import socket
import time
from types import FrameType

import uvicorn
from fastapi import FastAPI
from starlette.types import Send

from app.limits.responses import AnswerBeforeStart, send_error

log = logging.getLogger(__name__)
MIN_REQUEST_GRACE_SECONDS = 1.0


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: FastAPI, grace_seconds: float) -> None:
        super().__init__(config)
        self._app = app
        self.grace_seconds = grace_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._draining = False
        self._drain_task: asyncio.Task | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().startup(sockets=sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # A signal handler: it may only hand work to the loop, never await.
        if self._draining or not self.started or self._loop is None:
            super().handle_exit(sig, frame)
            return
        self._draining = True
        self._app.state.draining = True
        self._loop.call_soon_threadsafe(self._start_drain, sig)

    def _start_drain(self, sig: int) -> None:
        # called in the loop (call_soon_threadsafe)
        self._drain_task = asyncio.get_running_loop().create_task(self._drain(sig), name="drain")

    async def _drain(self, sig: int) -> None:
        deadline = time.monotonic() + self.grace_seconds
        log.info("%s: draining (readyz answers 503; running jobs get %.0f s)",
                 signal.Signals(sig).name, self.grace_seconds)
        try:
            await self._app.state.runtime.queue.drain()
        except Exception:  # stopping must go on whatever went wrong
            log.exception("draining the job worker failed")
        # uvicorn types it int but waits with asyncio, which takes a float
        self.config.timeout_graceful_shutdown = max(  # type: ignore[assignment]
            MIN_REQUEST_GRACE_SECONDS, deadline - time.monotonic())
        log.info("job worker stopped; closing the HTTP server")
        super().handle_exit(sig, None)  # uvicorn's own graceful stop from here


class CutRequests(AnswerBeforeStart):
    """Answers a request cancelled while the server drains with 503, before it started."""

    catches = (asyncio.CancelledError,)

    async def answer(self, exc: BaseException, send: Send) -> bool:
        if not self.fastapi_app.state.draining:
            return False
        # The task ends here, answered: uvicorn closes the connection as it shuts down.
        await send_error(send, 503, "the server is shutting down and could not finish "
                         "this request; retry it (another instance will answer)",
                         retry_after=1)
        return True
