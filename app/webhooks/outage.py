"""How the delivery worker reports failures: one line when a spell of them starts, one when it
ends, nothing in between, with backoff delays between tries. A minute without the database
is two lines, not sixty tracebacks next to every other worker's messages."""

import logging

from psycopg import OperationalError

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 30.0


class Backoff:
    """1, 2, 4 ... seconds, at most MAX_BACKOFF_SECONDS, until reset."""

    def __init__(self) -> None:
        self.failures = 0

    def next(self) -> float:
        self.failures += 1
        return min(MAX_BACKOFF_SECONDS, 2.0 ** (self.failures - 1))

    def reset(self) -> None:
        self.failures = 0


def unavailable(exc: BaseException) -> bool:
    """The database's state rather than a bug: refused or dropped connections, an admin
    shutdown, a pool checkout that timed out (PoolTimeout is one), a full disk."""
    return isinstance(exc, OperationalError)


def _summary(exc: BaseException) -> str:
    first_line = next(iter(str(exc).splitlines()), "")
    return f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__


class FailureLog:
    """Shared by the rounds, the listener and the recording of attempts: whichever meets the
    outage first says so; the next success of a round ends it."""

    def __init__(self) -> None:
        self.spell: str | None = None  # "database" or "error" while failing

    def failed(self, exc: BaseException) -> None:
        kind = "database" if unavailable(exc) else "error"
        if kind == self.spell:
            return
        self.spell = kind
        if kind == "database":
            log.warning("webhook worker: database unavailable: %s; retrying", _summary(exc))
        else:  # a bug of ours: the traceback once, then the same quiet retries
            log.error("webhook worker: round failed; retrying", exc_info=exc)

    def succeeded(self) -> None:
        if self.spell == "database":
            log.info("webhook worker: database back")
        elif self.spell == "error":
            log.info("webhook worker: rounds succeed again")
        self.spell = None
