"""A replica that stops answering without failing: SIGSTOP on its postmaster and every
backend (what a frozen host or a network partition looks like to a client: connections
stay open, nothing comes back). Always resumed (SIGCONT) on the way out: a stopped
postmaster would hang the suite's teardown."""

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

from tests.replicas_read.cluster import Node


def _postmaster(node: Node) -> int:
    return int((node.pgdata / "postmaster.pid").read_text().splitlines()[0])


def _children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ')'.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # it ended meanwhile
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def _signal(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


@contextlib.contextmanager
def frozen(node: Node) -> Iterator[None]:
    """The postmaster first, so that it forks no backend the list below would miss."""
    pids = [_postmaster(node)]
    try:
        _signal(pids, signal.SIGSTOP)
        pids += _children(pids[0])
        _signal(pids[1:], signal.SIGSTOP)
        yield
    finally:
        _signal(pids, signal.SIGCONT)
