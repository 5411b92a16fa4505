"""An import that stopped part way: what it applied, said in the answer.

An import commits batch by batch (it streams uploads of any size), so when something other
than a bad line stops it (the database going away, the client's upload breaking off), the
batches before are applied and the rest is not. The answer keeps the cause's status and
says exactly which lines were applied; running the same import again is safe."""

import logging
from typing import Any

from psycopg import errors as pg

from app.errors import AppError

log = logging.getLogger(__name__)

# What the database refuses in a line's own content (a value or key it cannot hold): the
# line is rejected by number, not the import stopped.
REFUSED_BY_DATABASE = (pg.DataError, pg.ProgramLimitExceeded)


class ImportStopped(AppError):
    def __init__(self, report: Any, done: int, cause: Exception) -> None:
        if isinstance(cause, AppError):
            self.status_code, self.headers, why = cause.status_code, cause.headers, cause.detail
        else:
            log.error("import stopped after line %d", done, exc_info=cause)
            why = "an internal error (logged)"
        numbers = sorted(r["line"] for r in report.rejected)
        shown = ", ".join(map(str, numbers[:20])) + (", ..." if len(numbers) > 20 else "")
        applied = (f"lines 1-{done} were applied: {report.inserted} inserted, "
                   f"{report.updated} updated, {report.unchanged} unchanged, "
                   f"{len(numbers)} rejected{f' (lines {shown})' if numbers else ''}"
                   if done else "no line was applied")
        super().__init__(f"the import stopped: {why}. {applied}; nothing from line "
                         f"{done + 1} on was. Importing the same lines again is safe: it "
                         "changes only what differs")
