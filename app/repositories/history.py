"""SQL for the change history the memory_history trigger records."""

from app.domain.history import Change, Origin
from app.repositories.conditions import ns_text
from app.repositories.connection import AsyncConnection

# Names the writer for the rest of the current transaction: the history triggers read it.
ORIGIN = ("set_config('memory.source', %(source)s, true), "
          "set_config('memory.job_id', %(job_id)s, true)")


def origin_params(origin: Origin) -> dict[str, str]:
    return {"source": origin.source, "job_id": origin.job_id or ""}


async def set_origin(conn: AsyncConnection, origin: Origin) -> None:
    """Name the writer for the rest of the current transaction."""
    await conn.execute(f"SELECT {ORIGIN}", origin_params(origin))


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
