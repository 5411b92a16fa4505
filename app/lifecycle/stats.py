"""What is stored under a prefix."""

from typing import Any

from app.memories.namespaces import validate_namespace
from app.repositories import jobs as jobs_sql
from app.repositories import lifecycle as lifecycle_sql
from app.repositories.connection import AsyncConnectionPool


class StatsService:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def stats(self, namespace_prefix: tuple[str, ...]) -> dict[str, Any]:
        prefix = validate_namespace(namespace_prefix, field="prefix", allow_empty=True)
        async with self.pool.connection() as conn:
            found = dict(await lifecycle_sql.stats(conn, prefix))
            found["jobs"] = await jobs_sql.count_by_status(conn, prefix)
        return found

    async def per_namespace(self, namespace_prefix: tuple[str, ...], *, limit: int,
                            offset: int) -> list[tuple[tuple[str, ...], int]]:
        prefix = validate_namespace(namespace_prefix, field="prefix", allow_empty=True)
        async with self.pool.connection() as conn:
            return await lifecycle_sql.namespace_counts(conn, prefix, limit, offset)
