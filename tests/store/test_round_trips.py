"""Statements and pool checkouts per operation: each is a round trip (a checkout checks its
connection), Python time in psycopg and a Postgres backend woken, the largest share of the
server's CPU under a mixed load (bench/PROFILE.md). A get, with its TTL refresh, is one
statement and no transaction; so is a put's write (its text compared with the indexed one
before, on a connection of its own, not held while the model embeds); a search refreshes
TTLs only when it found some."""

import asyncio
from contextlib import asynccontextmanager

import psycopg
import pytest
from langgraph.store.base import PutOp, SearchOp

from app.domain.history import Origin

NS = ("memories", "rt")


class Recorder:
    """A pooled connection that records its statements and the transactions it opens."""

    def __init__(self, conn, log: list[str]) -> None:
        self.conn, self.log = conn, log

    def __getattr__(self, name):
        return getattr(self.conn, name)

    async def execute(self, query, params=None):
        if "'vector'::regtype" not in str(query):  # once per connection (vectors.ready)
            self.log.append("execute")
        return await self.conn.execute(query, params)

    def transaction(self, *args, **kwargs):
        self.log.append("transaction")
        return self.conn.transaction(*args, **kwargs)


class Statements(list):
    """What the test's own task does from its last clear() on: the app's background workers
    share the pool."""

    task: asyncio.Task | None = None

    def clear(self) -> None:
        super().clear()
        self.task = asyncio.current_task()


@pytest.fixture
def statements(store, monkeypatch) -> Statements:
    log, checkout = Statements(), store.pool.connection

    @asynccontextmanager
    async def recorded(*args, **kwargs):
        async with checkout(*args, **kwargs) as conn:
            if asyncio.current_task() is not log.task:
                yield conn
                return
            log.append("checkout")
            yield Recorder(conn, log)

    monkeypatch.setattr(store.pool, "connection", recorded)
    return log


async def test_a_get_refreshes_ttls_and_reads_in_one_statement(store, statements):
    await store.aput(NS, "ttl", {"content": "expires"}, ttl=10)
    await store.aput(NS, "plain", {"content": "stays"})
    before = (await store.get_items(NS, ["ttl"], refresh_ttl=False))["ttl"].expires_at
    await asyncio.sleep(0.01)
    statements.clear()

    found = await store.get_items(NS, ["ttl", "plain", "missing"])

    assert statements == ["checkout", "execute"]
    assert set(found) == {"ttl", "plain"}
    assert found["plain"].expires_at is None
    assert found["ttl"].expires_at > before  # the refreshed expiry, as now stored
    stored = await store.get_items(NS, ["ttl"], refresh_ttl=False)
    assert stored["ttl"].expires_at == found["ttl"].expires_at
    assert found["plain"].value == {"content": "stays"}


async def test_a_get_without_refresh_is_one_statement_too(store, statements):
    await store.aput(NS, "ttl", {"content": "expires"}, ttl=10)
    before = (await store.get_items(NS, ["ttl"], refresh_ttl=False))["ttl"].expires_at
    statements.clear()
    found = await store.get_items(NS, ["ttl"], refresh_ttl=False)
    assert statements == ["checkout", "execute"]
    assert found["ttl"].expires_at == before


async def test_a_get_racing_a_write_that_drops_the_ttl_still_finds_the_item(store, database_url):
    """The get's UPDATE waits on the writer's row lock, then no longer matches the row (its
    TTL is gone): the item still comes back, as it was when the get began."""
    await store.aput(NS, "k", {"content": "raced"}, ttl=10)
    async with await psycopg.AsyncConnection.connect(database_url) as writer:
        async with writer.transaction():
            await writer.execute("UPDATE store SET ttl_minutes = NULL, expires_at = NULL "
                                 "WHERE prefix = 'memories.rt' AND key = 'k'")
            get = asyncio.create_task(store.get_items(NS, ["k"]))
            await until_waiting_on_a_lock(database_url)
        found = await asyncio.wait_for(get, 10)
    assert found["k"].value == {"content": "raced"}


async def until_waiting_on_a_lock(database_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        for _ in range(500):
            cur = await conn.execute("SELECT count(*) FROM pg_stat_activity "
                                     "WHERE wait_event_type = 'Lock'")
            if (await cur.fetchone())[0]:
                return
            await asyncio.sleep(0.01)
    raise AssertionError("the get never waited on the writer's lock")


@pytest.mark.parametrize("mode", ["hybrid", "semantic"])
async def test_a_search_checks_out_a_connection_for_ttls_only_when_it_found_some(
        store, statements, mode):
    await store.aput(NS, "plain", {"content": "the deploy runs at six"})
    await store.search_items(SearchOp(NS, query="warm up", limit=5), mode=mode)
    statements.clear()
    await store.search_items(SearchOp(NS, query="when is the deploy", limit=5), mode=mode)
    without_ttls = statements.count("checkout")

    await store.aput(NS, "ttl", {"content": "the deploy moved to seven"}, ttl=10)
    statements.clear()
    found = await store.search_items(SearchOp(NS, query="when is the deploy", limit=5),
                                     mode=mode)
    assert {i.key for i in found} == {"plain", "ttl"}
    assert statements.count("checkout") == without_ttls + 1  # the refresh's


async def test_a_put_writes_in_one_statement_and_its_history_names_the_writer(
        store, statements, database_url):
    await store.aput(NS, "k", {"content": "first"})
    statements.clear()
    await store.apply_puts([PutOp(NS, "k", {"content": "second"}),
                            PutOp(NS, "new", {"content": "third"}, index=False)],
                           origin=Origin("extraction", "job-7"))
    assert statements == ["checkout", "execute", "checkout", "execute"]
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(
            "SELECT key, source, job_id FROM memory_history WHERE prefix = 'memories.rt' "
            "AND source = 'extraction' ORDER BY key")
        assert await cur.fetchall() == [("k", "extraction", "job-7"),
                                        ("new", "extraction", "job-7")]
        cur = await conn.execute("SELECT key, text FROM store_vectors "
                                 "WHERE prefix = 'memories.rt' ORDER BY key")
        assert await cur.fetchall() == [("k", "second")]  # "new" is not indexed
    found = await store.get_items(NS, ["k", "new"])
    assert found["k"].value == {"content": "second"} and "new" in found
