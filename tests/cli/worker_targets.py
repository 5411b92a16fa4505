"""Workers that only misbehave, for the supervisor's tests (tests/cli/test_workers.py): a
module of their own, so a spawned worker imports nothing else of the suite."""

import os
import signal
import sys
import time
from pathlib import Path

from app.worker_supervisor import STARTUP_FAILURE


def cannot_start_unless_first(folder: str) -> None:
    try:
        (Path(folder) / "first").touch(exist_ok=False)
    except FileExistsError:
        sys.exit(STARTUP_FAILURE)
    time.sleep(60)  # until the supervisor's SIGTERM (default action)


def deaf_to_sigterm(folder: str) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    (Path(folder) / "deaf").touch()
    time.sleep(60)


def record_stop_signals(folder: str) -> None:
    """Notes each stop signal it gets in a file of its own; exits at the second."""
    heard = Path(folder) / f"heard-{os.getpid()}"

    def note(signum: int, frame: object) -> None:
        with heard.open("a") as f:
            f.write(signal.Signals(signum).name + "\n")
        if len(heard.read_text().split()) == 2:
            sys.exit(0)

    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, note)
    heard.touch()
    while True:
        time.sleep(0.1)
