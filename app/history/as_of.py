"""Reading the past from the change history: a namespace or one memory as it stood at a
time, and what changed between two times (net per memory)."""

from datetime import datetime

from app.config import Settings
from app.domain.as_of import NetChange, PastItem, check_window
from app.domain.caps import check_page
from app.errors import NotFound
from app.memories.keys import check_key
from app.memories.namespaces import validate_namespace
from app.repositories import history_as_of as as_of_sql
from app.repositories.connection import AsyncConnectionPool


class AsOfReader:
    def __init__(self, pool: AsyncConnectionPool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings

    async def namespace(self, namespace_prefix: tuple[str, ...], at: datetime, *,
                        limit: int, offset: int) -> list[PastItem]:
        """Every memory under the prefix (the namespace and those below it) at `at`, by
        namespace and key."""
        prefix = validate_namespace(namespace_prefix, field="namespace", allow_empty=True)
        check_page(self.settings, limit, offset)
        async with self.pool.connection() as conn:
            return await as_of_sql.as_of(conn, prefix, at, limit, offset)

    async def item(self, namespace: tuple[str, ...], key: str, at: datetime) -> PastItem:
        namespace = validate_namespace(namespace)
        check_key(namespace, key)
        async with self.pool.connection() as conn:
            found = await as_of_sql.as_of(conn, namespace, at, 1, 0, key=key)
        if not found:
            raise NotFound(f"no memory with key {key!r} in namespace {'.'.join(namespace)!r} "
                           f"at {at.isoformat()}: it was created later, deleted before, or "
                           "never existed (GET /v1/history lists its changes)")
        return found[0]

    async def changes(self, namespace_prefix: tuple[str, ...], since: datetime,
                      until: datetime, *, limit: int, offset: int) -> list[NetChange]:
        """The memories under the prefix whose state at `until` differs from their state at
        `since`, or that existed only in between: changes at times in (since, until]."""
        prefix = validate_namespace(namespace_prefix, field="namespace", allow_empty=True)
        check_window(since, until)
        check_page(self.settings, limit, offset)
        async with self.pool.connection() as conn:
            return await as_of_sql.changes(conn, prefix, since, until, limit, offset)
