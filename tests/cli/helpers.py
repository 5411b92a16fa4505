"""Run the real `memory-service` command line as a subprocess, and watch its embedded Postgres."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tests.conftest import model_path


def run_cli(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "EMBEDDING_MODEL_PATH": model_path() or "", **env}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=full,
                          capture_output=True, text=True, timeout=timeout)


def assert_refused(result: subprocess.CompletedProcess, *needles: str) -> str:
    """A startup refusal: exit 2, one or two plain lines on stderr, no traceback."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert 1 <= len(lines) <= 2 and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


def postmaster_pid(pgdata: Path) -> int | None:
    """The pid of the postmaster serving `pgdata`, if one runs."""
    pid_file = pgdata / "postmaster.pid"
    with contextlib.suppress(FileNotFoundError, ValueError, IndexError):
        pid = int(pid_file.read_text().splitlines()[0])
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                return pid
    return None


def wait_postmaster_gone(pgdata: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if postmaster_pid(pgdata) is None:
            return True
        time.sleep(0.2)
    return False


def stop_stray_postmaster(pgdata: Path) -> None:
    """Teardown: never leave our own test postgres behind, even when a test failed."""
    pid = postmaster_pid(pgdata)
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)  # postgres' "smart" shutdown
        if not wait_postmaster_gone(pgdata, 10):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
