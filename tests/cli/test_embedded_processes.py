"""The embedded Postgres lives exactly as long as the processes that use it, and one data
folder has one server. Each test starts real servers (initdb, model, migrations): ~10-20 s."""

import json
import os
import signal
import subprocess
import sys

import httpx
import pytest

from app.db.embedded_users import forget_departed_users
from tests.cli.helpers import (
    assert_refused,
    postmaster_pid,
    run_cli,
    stop_stray_postmaster,
    wait_postmaster_gone,
)
from tests.conftest import model_path
from tests.live_server import LiveServer, free_port


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    yield folder
    stop_stray_postmaster(folder / "postgres")


def embedded(data_dir) -> dict[str, str]:
    return {"DATABASE_URL": "", "MEMORY_DATA_DIR": str(data_dir),
            "EMBEDDING_MODEL_PATH": model_path() or ""}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_postgres_stops_with_the_server(data_dir, sig):
    with LiveServer.start(embedded(data_dir)) as server:
        assert postmaster_pid(data_dir / "postgres") is not None
        server.process.send_signal(sig)
        server.process.wait(timeout=60)
    assert wait_postmaster_gone(data_dir / "postgres", 10)


def test_one_server_per_data_folder_and_none_left_after_sigkill(data_dir):
    with LiveServer.start(embedded(data_dir)) as server:
        second = run_cli("serve", **embedded(data_dir), PORT=str(free_port()))
        assert_refused(second, str(data_dir.resolve()), "already")
        # The other commands share the server's database; leaving, they leave it running.
        shared = run_cli("stats", **embedded(data_dir))
        assert shared.returncode == 0, shared.stderr
        assert httpx.get(f"{server.url}/readyz").status_code == 200
        server.kill()  # SIGKILL: no code of the server's runs
        assert wait_postmaster_gone(data_dir / "postgres", 15)


def test_users_killed_before_their_exit_hook_are_forgotten(tmp_path):
    """pgserver stops postgres when its list of users empties; a user that never removed
    itself (SIGKILL) would keep it running forever."""
    departed = subprocess.Popen([sys.executable, "-c", "pass"])
    departed.wait()
    pgdata = tmp_path / "postgres"
    pgdata.mkdir()
    (pgdata / ".handle_pids.json").write_text(json.dumps([departed.pid, os.getpid()]))
    assert forget_departed_users(pgdata) == [os.getpid()]
    assert json.loads((pgdata / ".handle_pids.json").read_text()) == [os.getpid()]
