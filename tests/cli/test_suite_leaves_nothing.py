"""`make test` leaves no postgres of its own behind: the suite's embedded server (tests/conftest.py)
stops when the session ends, and when the session is killed before its teardown runs (a
crashed or SIGKILLed xdist worker) its watchdog stops it. Each case runs a one-test pytest
session on the suite's own fixtures in a subprocess (~10 s)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.cli.helpers import postmaster_pid, stop_stray_postmaster, wait_postmaster_gone

ROOT = Path(__file__).resolve().parents[2]
USES_THE_DATABASE = """
import sys, time

def test_holds_the_database(pg_admin_url):
    print("PG_URL", pg_admin_url, file=sys.stderr, flush=True)
    time.sleep(float("{hold}"))
"""


def run_session(tmp_path: Path, hold: float) -> tuple[subprocess.Popen, Path]:
    """A pytest session with the suite's conftest as a plugin; returns it once its postgres
    is up, with that server's data folder."""
    test = tmp_path / "test_uses_the_database.py"
    test.write_text(USES_THE_DATABASE.replace("{hold}", str(hold)))
    log = tmp_path / "session.log"
    session = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-q", "-s", str(test)], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=log.open("w"), env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.startswith("PG_URL "):
                host = parse_qs(urlsplit(line.split()[1]).query)["host"][0]
                return session, Path(host)  # pgserver's socket folder is its data folder
        assert session.poll() is None, log.read_text()
        time.sleep(0.2)
    session.kill()
    raise AssertionError(f"the session never reached its test:\n{log.read_text()}")


@pytest.mark.parametrize("end", ["teardown", "sigkill"])
def test_a_test_session_leaves_no_postgres(tmp_path, end):
    session, pgdata = run_session(tmp_path, hold=0 if end == "teardown" else 600)
    try:
        assert postmaster_pid(pgdata) is not None or end == "teardown"
        if end == "sigkill":
            session.send_signal(signal.SIGKILL)
        session.wait(timeout=120)
        assert wait_postmaster_gone(pgdata, timeout=30), f"postgres still runs in {pgdata}"
    finally:
        session.kill()
        stop_stray_postmaster(pgdata)
