"""WORKERS=2: one `memory-service serve` runs two server processes on its one socket; a
killed one comes back, and SIGTERM drains both (a running job finishes), then stops the
embedded Postgres. One real server, whose start is most of the time (initdb; the model
loads three times: the supervisor checks it, each worker serves with it; a fourth for the
restarted one), all CPU: 86-88 s measured on 2 cores at load average 5-8; without its job part
it took 29 s at load average 4. The supervisor's own tests use trivial workers: ~2 s each."""

import contextlib
import json
import os
import signal
import socket
import threading
import time

import httpx
import psutil
import pytest
from pydantic import ValidationError

from app.config import Settings
from app.db.embedded_users import alive
from app.worker_supervisor import STARTUP_FAILURE, Supervisor
from tests.cli import worker_targets
from tests.cli.helpers import assert_refused, run_cli, stop_stray_postmaster, wait_postmaster_gone
from tests.cli.test_embedded_processes import embedded
from tests.fakes.llm_server import Delay
from tests.jobs.test_background import job_request
from tests.jobs.test_durability import wait_until
from tests.jobs.test_shutdown import error_lines, fact, terminate
from tests.live_server import LiveServer, free_port
from tests.llm_fixtures import live_server_env

STOPPED_BY_SIGTERM = 128 + signal.SIGTERM  # what `serve` exits with today, one process or many


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    yield folder
    stop_stray_postmaster(folder / "postgres")


def workers(server: LiveServer) -> set[int]:
    """The serving children: spawned interpreters (not the embedded Postgres' watchdog)."""
    found = set()
    for child in psutil.Process(server.process.pid).children():
        with contextlib.suppress(psutil.Error):  # one that just exited (a zombie: pg_ctl)
            if "spawn_main" in " ".join(child.cmdline()):
                found.add(child.pid)
    return found


def answered_by(server: LiveServer) -> int | None:
    """Which process accepted a fresh connection that a request was answered on."""
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"GET /livez HTTP/1.1\r\nHost: test\r\n\r\n")
        assert conn.recv(64).startswith(b"HTTP/1.1 200"), "livez did not answer 200"
        mine = conn.getsockname()[1]
        for pid in workers(server):
            held = psutil.Process(pid).net_connections(kind="tcp")
            if any(c.raddr and c.raddr.port == mine and c.laddr.port == port for c in held):
                return pid
    return None


def answering(server: LiveServer, expected: set[int], timeout: float = 60) -> set[int]:
    """The processes seen answering, once all of `expected` have (or the time is up)."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while not expected <= seen and time.monotonic() < deadline:
        seen.add(answered_by(server) or 0)
    return seen - {0}


def test_workers_out_of_range_is_refused(database_url):
    result = run_cli("serve", DATABASE_URL=database_url, PORT=str(free_port()), WORKERS="0",
                     timeout=60)
    assert_refused(result, "WORKERS: Input should be greater than or equal to 1 (got '0')")


@pytest.mark.parametrize("value, message", [
    ("65", "less than or equal to 64"), ("two", "valid integer")])
def test_workers_bounds(value, message):
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, workers=value)


def test_two_workers_answer_a_killed_one_comes_back_and_sigterm_drains_all(data_dir, llm):
    llm.script(Delay(3, then=fact("dogs")))
    env = {**live_server_env("", llm), **embedded(data_dir), "WORKERS": "2",
           "SHUTDOWN_GRACE_SECONDS": "20"}
    with LiveServer.start(env, timeout=90) as server:
        first = workers(server)
        assert len(first) == 2, server.output()
        assert answering(server, first) == first  # both accept on the one socket

        put = {"namespace": ["w"], "key": "k", "value": {"content": "kept across workers"}}
        assert httpx.put(f"{server.url}/store/items", json=put).status_code < 300
        killed = min(first)
        psutil.Process(killed).send_signal(signal.SIGKILL)
        seen: set[int | None] = set()
        deadline = time.monotonic() + 60
        while not seen - first - {None}:  # until a newcomer answers, the survivor does
            got = httpx.get(f"{server.url}/store/items", params={"namespace": "w", "key": "k"})
            assert got.status_code == 200, got.text
            assert got.json()["value"]["content"] == put["value"]["content"]
            assert time.monotonic() < deadline, server.output()
            seen.add(answered_by(server))
        [newcomer] = seen - first - {None}
        replaced = workers(server)
        assert replaced == first - {killed} | {newcomer}

        # SIGTERM while a worker runs a job: it finishes, then every process ends
        job = httpx.post(f"{server.url}/v1/jobs/extract",
                         json=job_request("I like dogs")).json()
        wait_until(lambda: llm.calls == 1)
        answers = terminate(server)  # exits within 30 s
        assert server.process.returncode == STOPPED_BY_SIGTERM, server.output()
        assert [e["message"] for e in error_lines(server)] == [
            f"worker process {killed} died (killed by SIGKILL); starting another"]
        wait_until(lambda: not any(alive(pid) for pid in replaced), timeout=5)  # no orphans
    assert 503 in [a.status_code for a in answers]  # readyz said so while draining
    assert wait_postmaster_gone(data_dir / "postgres", 15)
    stats = run_cli("stats", "--prefix", "memories.alice", **embedded(data_dir))
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["jobs"] == {"succeeded": 1}, (job, stats.stdout)


# The supervisor alone (app/worker_supervisor.py), with workers that only misbehave: ~2 s.

@contextlib.contextmanager
def own_stop_signals():
    """Supervisor.run sets this process's SIGTERM and SIGINT handlers: pytest's come back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def test_a_worker_that_cannot_start_stops_the_others(tmp_path, caplog):
    with own_stop_signals():
        status = Supervisor(2, worker_targets.cannot_start_unless_first, (str(tmp_path),), 10).run()
    assert status == STARTUP_FAILURE
    assert "could not start; stopping the others" in caplog.text


def test_a_worker_still_running_after_the_stop_timeout_is_killed(tmp_path, caplog):
    stops: list[float] = []
    supervisor = Supervisor(1, worker_targets.deaf_to_sigterm, (str(tmp_path),), stop_timeout=1,
                            on_stop=lambda: stops.append(time.monotonic()))

    def stop_once_deaf() -> None:
        wait_until(lambda: (tmp_path / "deaf").exists(), timeout=60)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=stop_once_deaf, daemon=True).start()
    with own_stop_signals():
        assert supervisor.run() == STOPPED_BY_SIGTERM
    assert supervisor.workers[0].exitcode == -signal.SIGKILL
    assert len(stops) == 1  # serve closes its listening socket there
    assert "still running 1 s after the stop; killing it" in caplog.text


def test_the_first_stop_signal_reaches_workers_as_sigterm_the_second_as_it_came(tmp_path):
    supervisor = Supervisor(2, worker_targets.record_stop_signals, (str(tmp_path),), 30)

    def heard() -> list[str]:
        return [f.read_text() for f in tmp_path.glob("heard-*")]

    def press_ctrl_c_twice() -> None:
        wait_until(lambda: len(heard()) == 2, timeout=60)
        os.kill(os.getpid(), signal.SIGINT)
        wait_until(lambda: heard() == ["SIGTERM\n"] * 2)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=press_ctrl_c_twice, daemon=True).start()
    with own_stop_signals():
        assert supervisor.run() == 128 + signal.SIGINT
    assert heard() == ["SIGTERM\nSIGINT\n"] * 2
