"""Run `memory-service serve` as a real process for end-to-end tests."""

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

# Ports below Linux's ephemeral range (32768-60999), so no outgoing connection takes one
# between this check and the server's bind (seconds later: it binds after its startup), and
# a block per xdist worker, so two workers are never handed one port; a readiness check
# could otherwise be answered by another worker's server.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_PORTS_PER_WORKER = 400
_PORTS = itertools.cycle(range(20000 + _PORTS_PER_WORKER * _WORKER,
                               20000 + _PORTS_PER_WORKER * (_WORKER + 1)))


def free_port() -> int:
    for _ in range(_PORTS_PER_WORKER):
        port = next(_PORTS)
        with socket.socket() as s:
            try:
                s.bind(("0.0.0.0", port))  # noqa: S104 (a check: taken on any address fails)
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in this worker's block of {_PORTS_PER_WORKER}")


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log: tempfile._TemporaryFileWrapper

    @classmethod
    @contextlib.contextmanager
    def start(cls, env: dict[str, str], timeout: float = 60.0,
              cwd: str | None = None) -> Iterator["LiveServer"]:
        """`cwd`: run the code in that directory (`python -m` prefers its `app` package)."""
        port = free_port()
        full_env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port)}
        # A file, not a pipe: a chatty server must never block on a full pipe buffer.
        log = tempfile.NamedTemporaryFile(prefix="memory-service-", suffix=".log")  # noqa: SIM115
        process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve"], env=full_env,
                                   cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        server = cls(f"http://127.0.0.1:{port}", process, log)
        try:
            server.wait_ready(timeout)
            yield server
        finally:
            server.stop()
            log.close()

    def output(self) -> str:
        self.log.flush()
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.process.returncode}:\n{self.output()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        raise TimeoutError(f"server at {self.url} not ready after {timeout}s")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine or container dies."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
