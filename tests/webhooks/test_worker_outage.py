"""The database away for seconds: the delivery worker says so in one warning line (no
traceback), stays quiet while it backs off, says once that the database is back, and
delivers again. ~20 s: a Postgres of its own to stop and start (tests/outage/conftest.py)."""

import asyncio
import logging
import time

import psycopg
import pytest

from app.config import Settings
from tests.conftest import model_path
from tests.outage.conftest import outage_database_url, own_postgres  # noqa: F401  (fixtures)
from tests.webhooks.conftest import FAST, open_hook_client, received, register

OUTAGE_SECONDS = 5.0


def _worker_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("app.webhooks")]


async def _write(client, key: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while (response := await client.post("/v1/memories", json={
            "namespace": ["memories", "alice"], "key": key, "content": key})).status_code != 201:
        assert response.status_code == 503 and time.monotonic() < deadline, response.text
        await asyncio.sleep(0.2)


async def test_an_outage_is_one_warning_then_one_recovery_line(
        own_postgres, outage_database_url, embedder, receiver, caplog):  # noqa: F811
    caplog.set_level(logging.INFO, logger="app.webhooks")
    settings = Settings(database_url=outage_database_url, embedding_model_path=model_path(),
                        db_pool_min_size=1, db_pool_max_size=10,
                        db_unavailable_timeout_seconds=1, **FAST)
    async with open_hook_client(settings, embedder) as client:
        await register(client, receiver, event_types=["memory.created"])
        await _write(client, "before")
        await received(receiver, 1)
        await asyncio.to_thread(own_postgres.stop)
        try:
            await asyncio.sleep(OUTAGE_SECONDS)
        finally:
            await asyncio.to_thread(own_postgres.start)
        deadline = time.monotonic() + 40
        while not any("database back" in r.getMessage() for r in _worker_lines(caplog)):
            assert time.monotonic() < deadline, [r.getMessage() for r in _worker_lines(caplog)]
            await asyncio.sleep(0.1)
        await _write(client, "after")
        got = await received(receiver, 2)
        assert [r.data["key"] for r in got] == ["before", "after"]

    lines = _worker_lines(caplog)
    warnings = [r for r in lines if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].levelno == logging.WARNING and warnings[0].exc_info is None
    assert warnings[0].getMessage().startswith("webhook worker: database unavailable: ")
    assert warnings[0].getMessage().endswith("; retrying")
    assert [r.getMessage() for r in lines if "database back" in r.getMessage()] == [
        "webhook worker: database back"]
    assert not [r for r in lines if r.exc_info]


async def test_a_bug_in_a_round_logs_its_traceback_once_then_recovers(
        hook_client, hook_settings, receiver, caplog):
    caplog.set_level(logging.INFO, logger="app.webhooks")
    await register(hook_client, receiver, event_types=["memory.created"])
    # A schema the code does not expect: every round fails with UndefinedColumn, not with
    # the database away; rounds at 0 s and 1 s fail, backing off.
    rename = "ALTER TABLE webhook_deliveries RENAME COLUMN {} TO {}"
    with psycopg.connect(hook_settings.database_url, autocommit=True) as conn:
        conn.execute(rename.format("locked_until", "locked_until_renamed"))
    await asyncio.sleep(1.5)
    with psycopg.connect(hook_settings.database_url, autocommit=True) as conn:
        conn.execute(rename.format("locked_until_renamed", "locked_until"))
    deadline = time.monotonic() + 10
    while not any("succeed again" in r.getMessage() for r in _worker_lines(caplog)):
        assert time.monotonic() < deadline, [r.getMessage() for r in _worker_lines(caplog)]
        await asyncio.sleep(0.1)
    await _write(hook_client, "after")
    await received(receiver, 1)

    failures = [r for r in _worker_lines(caplog) if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in failures] == ["webhook worker: round failed; retrying"]
    assert failures[0].levelno == logging.ERROR and failures[0].exc_info is not None
    assert "locked_until" in str(failures[0].exc_info[1])
    assert [r.getMessage() for r in _worker_lines(caplog) if "again" in r.getMessage()] == [
        "webhook worker: rounds succeed again"]
