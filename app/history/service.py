"""A memory's change history, and restoring an earlier version from it."""

from app.domain.history import Change, Origin
from app.domain.items import StoredItem
from app.errors import NotFound
from app.history.as_of import AsOfReader
from app.memories.namespaces import validate_namespace
from app.memories.service import MemoryService
from app.repositories import history as history_sql
from app.repositories.connection import AsyncConnectionPool

RESTORE = Origin("restore")


class HistoryService:
    def __init__(self, pool: AsyncConnectionPool, memories: MemoryService) -> None:
        self.pool = pool
        self.memories = memories
        self.as_of = AsOfReader(pool, memories.settings)  # the past, from the same table

    async def for_item(self, namespace: tuple[str, ...], key: str, *, limit: int,
                       offset: int) -> list[Change]:
        namespace = validate_namespace(namespace)
        self.memories.check_page(limit, offset)
        async with self.pool.connection() as conn:
            return await history_sql.item_history(conn, namespace, key, limit, offset)

    async def get_change(self, change_id: int) -> Change:
        async with self.pool.connection() as conn:
            change = await history_sql.get_change(conn, change_id)
        if change is None:
            raise NotFound(f"no change with id {change_id}")
        return change

    async def restore(self, change_id: int) -> StoredItem:
        """Make the memory read as it did right after this change; for a deletion, as it
        did just before it (an undelete). Restoring is itself a recorded change."""
        change = await self.get_change(change_id)
        value = change.new_value if change.new_value is not None else change.old_value
        assert value is not None  # the trigger records an old or a new value, or both
        await self.memories.put(change.namespace, change.key, value, origin=RESTORE)
        return await self.memories.get(change.namespace, change.key, fresh=True)
