"""Stopping background tasks, whose cancel Python 3.11 can lose.

3.11's asyncio.wait_for returns its result when a cancel lands just as what it waits for
completes (psycopg_pool waits for a free connection that way), and the task goes on as if
never cancelled. A task that must stop is therefore cancelled again until it ends.
"""

import asyncio
from collections.abc import Iterable

RECANCEL_SECONDS = 0.5


async def cancel_until_done(tasks: Iterable[asyncio.Task], *, within: float
                            ) -> set[asyncio.Task]:
    """Cancel `tasks`, and again every RECANCEL_SECONDS, until they end or `within` seconds
    pass; answers the ones still running. Only for tasks without a graceful stop of their
    own, which a second cancel would cut short."""
    tasks = list(tasks)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        left = deadline - loop.time()
        if left <= 0:
            break
        _, pending = await asyncio.wait(pending, timeout=min(RECANCEL_SECONDS, left))
    for task in tasks:  # retrieved, so none is reported "never retrieved" at exit
        if task.done() and not task.cancelled():
            task.exception()
    return pending
