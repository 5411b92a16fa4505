"""SQL for the change history the memory_history trigger records."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

from app.repositories.conditions import ns_text


@dataclass(frozen=True)
class Origin:
    """Who is writing: recorded with every change the transaction makes."""

    source: str
    job_id: str | None = None


@dataclass
class Change:
    id: int
    namespace: tuple[str, ...]
    key: str
    action: str
    old_value: dict[str, Any] | None
    new_value: dict[str, Any] | None
    source: str
    job_id: str | None
    changed_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Change":
        return cls(id=row["id"], namespace=tuple(row["prefix"].split(".")), key=row["key"],
                   action=row["action"], old_value=row["old_value"],
                   new_value=row["new_value"], source=row["source"], job_id=row["job_id"],
                   changed_at=row["changed_at"])


async def set_origin(conn: AsyncConnection, origin: Origin) -> None:
    """Name the writer for the rest of the current transaction."""
    await conn.execute(
        "SELECT set_config('memory.source', %s, true), set_config('memory.job_id', %s, true)",
        (origin.source, origin.job_id or ""),
    )


async def item_history(conn: AsyncConnection, namespace: tuple[str, ...], key: str,
                       limit: int, offset: int) -> list[Change]:
    cur = await conn.execute(
        """
        SELECT * FROM memory_history WHERE prefix = %s AND key = %s
        ORDER BY id DESC LIMIT %s OFFSET %s
        """,
        (ns_text(namespace), key, limit, offset),
    )
    return [Change.from_row(r) for r in await cur.fetchall()]


async def get_change(conn: AsyncConnection, change_id: int) -> Change | None:
    cur = await conn.execute("SELECT * FROM memory_history WHERE id = %s", (change_id,))
    row = await cur.fetchone()
    return Change.from_row(row) if row else None
