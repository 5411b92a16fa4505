"""Forget everything under a namespace prefix: items, vectors, keyword index, history, jobs,
and the Idempotency-Key replays that would show them."""

from app.jobs.queue import JobQueue
from app.memories.namespaces import validate_namespace
from app.repositories import lifecycle as lifecycle_sql
from app.repositories.connection import AsyncConnectionPool
from app.webhooks.forget import forget_events


class ForgetService:
    def __init__(self, pool: AsyncConnectionPool, queue: JobQueue) -> None:
        self.pool = pool
        self.queue = queue

    async def forget(self, namespace_prefix: tuple[str, ...], *,
                     dry_run: bool = False) -> dict[str, int]:
        """Erase the prefix in one transaction and answer with what was removed (or, for a dry
        run, what would be). ("memories", "alice") never touches ("memories", "alice2")."""
        prefix = validate_namespace(namespace_prefix, field="namespace_prefix")
        async with self.pool.connection() as conn, conn.transaction():
            counts = await lifecycle_sql.count_prefix(conn, prefix)
            if dry_run:
                return counts
            # Pending extractions of these namespaces must not write them back afterwards.
            for queue_job_id, running in await lifecycle_sql.active_queue_jobs(conn, prefix):
                await self.queue.cancel(conn, queue_job_id, abort=running)
            await lifecycle_sql.erase_prefix(conn, prefix)
            await forget_events(conn, prefix)  # pending webhook events carry its data
            return counts
