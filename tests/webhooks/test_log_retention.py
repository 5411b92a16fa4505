"""The log keeps finished deliveries WEBHOOK_LOG_RETENTION_HOURS; pending ones stay."""

import uuid

import psycopg
from psycopg.rows import dict_row

from app.repositories import webhooks_events as events_sql


async def test_prune_drops_old_finished_events_and_keeps_pending_ones(database_url):
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row,
                                                     autocommit=True) as conn:
        hook = uuid.uuid4()
        await conn.execute("INSERT INTO webhooks (id, url, secret, event_types) VALUES "
                           "(%s, 'https://x.example/', 'whsec_x', '{memory.created}')", (hook,))
        ids = {}
        for name, age, status in (("old-done", "3 hours", "delivered"),
                                  ("old-failed", "3 hours", "failed"),
                                  ("old-pending", "3 hours", "pending"),
                                  ("new-done", "1 minute", "delivered")):
            cur = await conn.execute(
                "INSERT INTO webhook_events (type, prefix, subject, payload, created_at, "
                "dispatched) VALUES ('memory.created', 'm', %s, '{}', now() - %s::interval, "
                "true) RETURNING id", (name, age))
            ids[name] = (await cur.fetchone())["id"]
            await conn.execute("INSERT INTO webhook_deliveries (webhook_id, event_id, subject, "
                               "status) VALUES (%s, %s, %s, %s)", (hook, ids[name], name, status))
        assert await events_sql.prune(conn, older_than_hours=2) == 2
        cur = await conn.execute("SELECT subject FROM webhook_events ORDER BY id")
        assert [r["subject"] for r in await cur.fetchall()] == ["old-pending", "new-done"]
        cur = await conn.execute("SELECT count(*) AS n FROM webhook_deliveries")
        assert (await cur.fetchone())["n"] == 2
