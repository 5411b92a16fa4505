"""Several `memory-service serve` processes on one database, started together, each with a
fake LLM of its own: a test then knows which replica runs a job (its fake was called)."""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from tests.fakes.llm_server import FakeLLMServer
from tests.live_server import LiveServer, free_port
from tests.llm_fixtures import live_server_env

READY_TIMEOUT = 120.0  # three processes loading the model at once on two cores


@dataclass
class Replica:
    server: LiveServer
    llm: FakeLLMServer

    @property
    def url(self) -> str:
        return self.server.url

    def alive(self) -> bool:
        return self.server.process.poll() is None


def _spawn(env: dict[str, str]) -> LiveServer:
    port = free_port()
    full_env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port)}
    log = tempfile.NamedTemporaryFile(prefix="memory-replica-", suffix=".log")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve"], env=full_env,
                               stdout=log, stderr=subprocess.STDOUT)
    return LiveServer(f"http://127.0.0.1:{port}", process, log)


def _stop_all(servers: list[LiveServer]) -> None:
    """SIGTERM to all first, so their graceful stops overlap."""
    for server in servers:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
    for server in servers:
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        server.log.close()


@contextlib.contextmanager
def cluster(database_url: str, count: int, env: dict[str, str]) -> Iterator[list[Replica]]:
    """`count` replicas on `database_url`; `env`: settings every replica shares."""
    with contextlib.ExitStack() as stack:
        fakes = [stack.enter_context(FakeLLMServer()) for _ in range(count)]
        servers: list[LiveServer] = []
        stack.callback(_stop_all, servers)
        for fake in fakes:
            servers.append(_spawn({**live_server_env(database_url, fake), **env}))
        for server in servers:
            server.wait_ready(READY_TIMEOUT)
        yield [Replica(server, fake) for server, fake in zip(servers, fakes, strict=True)]
