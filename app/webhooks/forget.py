"""What forgetting a prefix does to webhooks, in the forget's transaction: events about it
(pending or logged) carry its data and go, with their deliveries; the one event left,
"namespace.forgotten", carries only the prefix's name."""

from app.repositories import webhooks_events as events_sql
from app.repositories.connection import AsyncConnection
from app.webhooks.matching import FORGOTTEN


async def forget_events(conn: AsyncConnection, prefix: tuple[str, ...]) -> None:
    await events_sql.erase_prefix(conn, prefix)
    await events_sql.record(conn, FORGOTTEN, prefix, "namespace:" + ".".join(prefix),
                            {"namespace": list(prefix)})
