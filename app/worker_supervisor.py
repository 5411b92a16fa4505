"""Keeps N worker processes running, as uvicorn's Multiprocess supervisor does (spawned,
restarted when one dies), which we cannot reuse: it builds each worker's plain
uvicorn.Server itself, where ours serve through DrainingServer (app/shutdown.py).

The first SIGTERM or SIGINT sends SIGTERM to every worker (each drains as one server
does); a second one is passed on as it came (a second Ctrl+C stops them at once). Workers
run in their own process group, so a Ctrl+C in the terminal reaches this process only and
each worker hears one signal per stop. A worker that dies is replaced; one that exits
STARTUP_FAILURE could not start and would fail again, so the others are stopped.
"""

import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

log = logging.getLogger(__name__)
STARTUP_FAILURE = 3  # as uvicorn's
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
POLL_SECONDS = 0.5


class Supervisor:
    def __init__(self, count: int, target: Callable[..., None], args: tuple,
                 stop_timeout: float, on_stop: Callable[[], None] = lambda: None) -> None:
        """`stop_timeout`: how long workers may drain before they are killed. `on_stop`
        runs once when the stop begins: no worker is started after it."""
        self.count, self.target, self.args = count, target, args
        self.stop_timeout, self.on_stop = stop_timeout, on_stop
        self.workers: list[BaseProcess] = []
        self.signals: list[int] = []  # as received, by the handler
        self.failed = False

    def run(self) -> int:
        """Until every worker has exited after a stop; the exit status for the command."""
        for stop in STOP_SIGNALS:
            signal.signal(stop, self._received)
        self.workers = [self._start() for _ in range(self.count)]
        passed_on, deadline = 0, None
        while any(w.exitcode is None for w in self.workers) or not (self.signals or self.failed):
            wait([w.sentinel for w in self.workers if w.exitcode is None], POLL_SECONDS)
            for sig in self.signals[passed_on:]:
                first = passed_on == 0 and not self.failed
                self._signal_all(signal.SIGTERM if first else sig)
                passed_on += 1
            if not (self.signals or self.failed):
                self._replace_dead()
                continue
            if deadline is None:
                self.on_stop()
                deadline = time.monotonic() + self.stop_timeout
            if time.monotonic() > deadline:
                self._kill_stragglers()
        for worker in self.workers:
            worker.join()
        return STARTUP_FAILURE if self.failed else 128 + self.signals[0]

    def _received(self, signum: int, frame: FrameType | None) -> None:
        self.signals.append(signum)  # acted on by the loop: a handler only records

    def _start(self) -> BaseProcess:
        # spawn: a fresh interpreter, not a fork of this one's threads and connections.
        worker = multiprocessing.get_context("spawn").Process(
            target=self.target, args=self.args, name="memory-service worker")
        # Ignored from its first instruction until it leaves our process group (the target
        # does), so a Ctrl+C while it starts does not reach it.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            worker.start()
        finally:
            signal.signal(signal.SIGINT, previous)
        log.info("started worker process %s", worker.pid)
        return worker

    def _replace_dead(self) -> None:
        for i, worker in enumerate(self.workers):
            if worker.exitcode is None:
                continue
            if worker.exitcode == STARTUP_FAILURE:
                log.error("worker process %s could not start; stopping the others", worker.pid)
                self.failed = True
                self._signal_all(signal.SIGTERM)
                return
            log.error("worker process %s died (%s); starting another", worker.pid,
                      _describe(worker.exitcode))
            self.workers[i] = self._start()

    def _signal_all(self, sig: int) -> None:
        for worker in self.workers:
            if worker.exitcode is None and worker.pid is not None:
                os.kill(worker.pid, sig)

    def _kill_stragglers(self) -> None:
        for worker in self.workers:
            if worker.exitcode is None:
                log.error("worker process %s still running %.0f s after the stop; killing it",
                          worker.pid, self.stop_timeout)
                worker.kill()
                worker.join()


def _describe(exitcode: int) -> str:
    if exitcode < 0:
        return f"killed by {signal.Signals(-exitcode).name}"
    return f"exit status {exitcode}"
