"""A checkout checks its connection (app/db/pool.py): one back from a request within
FRESH_SECONDS without a round trip, unless the server wrote to it (as it does when it ends
a backend); an older one with a round trip. A broken connection is never handed out."""

import asyncio

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool as PsycopgPool

from app.db import pool as pool_module
from app.db.pool import open_pool


@pytest.fixture
async def one_connection(database_url):
    pool = await open_pool(database_url, min_size=1, max_size=1, timeout=10)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
def round_trips(monkeypatch) -> list[int]:
    checked: list[int] = []
    real = PsycopgPool.check_connection

    async def recorded(conn):
        checked.append(conn.info.backend_pid)
        await real(conn)

    monkeypatch.setattr(PsycopgPool, "check_connection", recorded)
    return checked


async def backend_pid(pool) -> int:
    async with pool.connection() as conn:
        return (await (await conn.execute("SELECT pg_backend_pid() AS pid")).fetchone())["pid"]


async def test_a_connection_back_this_moment_is_handed_out_without_a_round_trip(
        one_connection, round_trips, monkeypatch):
    first = await backend_pid(one_connection)
    assert round_trips == [first]  # a new connection: never back from a request yet
    round_trips.clear()
    assert await backend_pid(one_connection) == first
    assert round_trips == []
    monkeypatch.setattr(pool_module, "FRESH_SECONDS", 0.05)
    await asyncio.sleep(0.1)
    assert await backend_pid(one_connection) == first
    assert round_trips == [first]  # idle longer: checked with a round trip


async def test_a_backend_ended_after_its_connection_went_back_is_never_handed_out(
        one_connection, round_trips, database_url):
    ended = await backend_pid(one_connection)
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as admin:
        await admin.execute("SELECT pg_terminate_backend(%s, 5000)", (ended,))
    # Back a moment ago, so fresh: but the server wrote its goodbye, and the poll sees it.
    assert await backend_pid(one_connection) != ended
    assert round_trips[0] == ended
