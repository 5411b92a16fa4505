"""The worker wakes on work, not on a clock: with WEBHOOK_POLL_SECONDS at a minute, a new
event, a retry coming due, a lease running out, a redelivery and an endpoint enabled again
are all acted on within a couple of seconds (a notification, or a due time it knows)."""

import asyncio
import time

import psycopg

from tests.webhooks.conftest import deliveries, open_hook_client, received, register

SLOW_POLL = {"webhook_poll_seconds": 60}
PROMPT = 5.0  # seconds: far below the poll interval, above a loaded machine's latency


async def _write(client, key: str) -> None:
    response = await client.post("/v1/memories", json={
        "namespace": ["memories", "alice"], "key": key, "content": key})
    assert response.status_code == 201, response.text


async def test_a_new_event_is_delivered_at_once_without_polling(
        hook_settings, embedder, receiver):
    async with open_hook_client(hook_settings.model_copy(update=SLOW_POLL), embedder) as client:
        await register(client, receiver, event_types=["memory.created"])
        await asyncio.sleep(0.3)  # past the worker's first round, into its long wait
        written = time.monotonic()
        await _write(client, "k")
        await received(receiver, 1, timeout=PROMPT + 3)
        assert time.monotonic() - written < PROMPT


async def test_a_retry_runs_at_its_due_time_not_at_the_next_poll(
        hook_settings, embedder, receiver):
    retry_in_a_second = {**SLOW_POLL, "webhook_retry_base_seconds": 1.0,
                         "webhook_retry_max_seconds": 1.0}
    async with open_hook_client(hook_settings.model_copy(update=retry_in_a_second),
                                embedder) as client:
        hook = await register(client, receiver, event_types=["memory.created"])
        receiver.status = 500
        await _write(client, "k")
        await _until(lambda: receiver.hits, timeout=PROMPT + 3)
        receiver.status = 204
        failed_at = time.monotonic()
        await received(receiver, 1, timeout=PROMPT + 5)
        assert time.monotonic() - failed_at < 1.0 + PROMPT  # the retry is due within 1 s
        assert len(receiver.hits) == 2
        await _until_delivered(client, hook["id"])


async def test_a_lease_left_by_a_stopped_replica_is_retried_when_it_expires(
        hook_settings, embedder, receiver):
    async with open_hook_client(hook_settings.model_copy(update=SLOW_POLL), embedder) as client:
        hook = await register(client, receiver, event_types=["namespace.forgotten"])
        await asyncio.sleep(0.3)
        # What a replica stopped mid-attempt leaves: a pending delivery leased for 1.5 s.
        event_id = _pending_delivery(hook_settings.database_url, hook["id"], lease=1.5)
        leased = time.monotonic()
        got = await received(receiver, 1, timeout=1.5 + PROMPT + 3)
        assert got[0].id == f"evt_{event_id}"
        assert 1.0 < time.monotonic() - leased < 1.5 + PROMPT


async def test_a_redelivery_wakes_the_worker(hook_settings, embedder, receiver):
    async with open_hook_client(hook_settings.model_copy(
            update={**SLOW_POLL, "webhook_max_attempts": 1}), embedder) as client:
        hook = await register(client, receiver, event_types=["memory.created"])
        receiver.status = 500
        await _write(client, "a")
        failed = await _until_status(client, hook["id"], "failed")
        receiver.status = 204
        asked = time.monotonic()
        assert (await client.post(f"/v1/webhooks/{hook['id']}/redeliver")).status_code == 200
        got = await received(receiver, 1, timeout=PROMPT + 3)
        assert time.monotonic() - asked < PROMPT
        assert got[0].id == failed["event_id"]


async def test_enabling_an_endpoint_again_sends_what_waited(hook_settings, embedder, receiver):
    async with open_hook_client(hook_settings.model_copy(update=SLOW_POLL), embedder) as client:
        hook = await register(client, receiver, event_types=["namespace.forgotten"])
        off = await client.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": False})
        assert off.status_code == 200, off.text
        # A delivery made before it was disabled waits while it is.
        event_id = _pending_delivery(hook_settings.database_url, hook["id"], lease=0)
        await asyncio.sleep(0.5)
        assert receiver.hits == []
        await client.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": True})
        enabled = time.monotonic()
        got = await received(receiver, 1, timeout=PROMPT + 3)
        assert time.monotonic() - enabled < PROMPT
        assert got[0].id == f"evt_{event_id}"


def _pending_delivery(database_url: str, hook_id: str, lease: float) -> int:
    """An event already fanned out, its delivery pending (leased for `lease` seconds)."""
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        row = conn.execute(
            "INSERT INTO webhook_events (type, prefix, subject, payload, dispatched) "
            "VALUES ('namespace.forgotten', 'memories', 'namespace:memories', "
            "'{\"namespace\": [\"memories\"]}', true) RETURNING id").fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO webhook_deliveries (webhook_id, event_id, subject, attempts, "
            "locked_until) VALUES (%s, %s, 'namespace:memories', %s, "
            "CASE WHEN %s > 0 THEN now() + make_interval(secs => %s) END)",
            (hook_id, row[0], int(lease > 0), lease, lease))
        return row[0]


async def _until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def _until_status(client, hook_id: str, status: str) -> dict:
    deadline = time.monotonic() + 10
    while not (found := await deliveries(client, hook_id, status=status)):
        assert time.monotonic() < deadline, f"no {status} delivery"
        await asyncio.sleep(0.05)
    return found[0]


async def _until_delivered(client, hook_id: str) -> None:
    await _until_status(client, hook_id, "delivered")
