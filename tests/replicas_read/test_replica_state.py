"""A replica that is down or lagging: reads fall back to the primary while it is away,
writes never notice, TTL refreshes (writes) reach the primary, /readyz reports all of it."""

import asyncio
from datetime import datetime

import httpx
import psycopg
from psycopg.conninfo import make_conninfo

from app.config import Settings
from app.main import create_app
from tests.conftest import drop_database, model_path
from tests.replicas_read.cluster import Replica
from tests.replicas_read.helpers import create, lagging, search_keys

ALICE = ["memories", "alice"]


async def test_reads_fall_back_to_the_primary_while_the_replica_is_down(
        rclient: httpx.AsyncClient, cluster: Replica):
    """~10 s: the replica stops and starts, and reads return to it only after
    REPLICA_RETRY_SECONDS (5)."""
    await create(rclient, ALICE, "a", "User likes jazz")
    cluster.catch_up()
    cluster.stop()
    await create(rclient, ALICE, "b", "User likes blues")  # writes never used the replica
    assert await search_keys(rclient, query="music") == {"a", "b"}  # the primary answered
    got = await rclient.get("/v1/memories/b", params={"namespace": "memories.alice"})
    assert got.status_code == 200
    ready = await rclient.get("/readyz")
    assert ready.status_code == 200, ready.text  # reads have somewhere to go
    replica = ready.json()["read_replica"]
    assert replica["state"] == "unreachable" and replica["reads"] == "primary"

    cluster.start()
    await lagging(cluster)
    await create(rclient, ALICE, "c", "User likes swing music")
    # Within the retry interval reads go back to the replica, which lacks "c".
    for _ in range(200):
        if "c" not in await search_keys(rclient, query="music"):
            break
        await asyncio.sleep(0.1)
    assert await search_keys(rclient, query="music") == {"a", "b"}
    assert (await rclient.get("/readyz")).json()["read_replica"]["reads"] == "replica"


async def test_readyz_reports_the_replica_and_its_lag(rclient: httpx.AsyncClient,
                                                      cluster: Replica):
    replica = (await rclient.get("/readyz")).json()["read_replica"]
    assert replica == {"state": "streaming", "reads": "replica", "lag_seconds": 0.0,
                       "replay_paused": False}
    await lagging(cluster)
    await create(rclient, ALICE, "a", "User likes jazz")
    await asyncio.sleep(0.05)  # the replica receives the WAL it will not replay
    ready = await rclient.get("/readyz")
    assert ready.status_code == 200
    replica = ready.json()["read_replica"]
    assert replica["replay_paused"] is True and replica["lag_seconds"] > 0


async def test_a_read_that_refreshes_a_ttl_refreshes_it_on_the_primary(
        rclient: httpx.AsyncClient, cluster: Replica, urls: tuple[str, str]):
    made = await create(rclient, ALICE, "t", "User is on holiday", ttl=60)
    cluster.catch_up()
    await asyncio.sleep(0.05)  # the refreshed expiry must be later than the created one
    got = await rclient.get("/v1/memories/t", params={"namespace": "memories.alice"})
    assert got.status_code == 200, got.text
    refreshed = datetime.fromisoformat(got.json()["expires_at"])
    assert refreshed > datetime.fromisoformat(made["expires_at"])
    with psycopg.connect(urls[0]) as conn:
        row = conn.execute("SELECT expires_at FROM store WHERE key = 't'").fetchone()
    assert row is not None and row[0] == refreshed  # on the primary, where writes go
    found = await rclient.post("/store/items/search", json={"namespace_prefix": ALICE,
                                                             "refresh_ttl": True})
    assert found.status_code == 200 and [i["key"] for i in found.json()["items"]] == ["t"]


async def test_migrations_run_on_the_primary_only(cluster: Replica, embedder) -> None:
    """A new, empty database: the app migrates the primary (the replica refuses writes, so
    a migration sent there would fail the start) and the replica follows."""
    cluster.primary.sql("CREATE DATABASE unmigrated")
    try:
        cluster.catch_up()
        settings = Settings(database_url=make_conninfo(cluster.primary.admin_url,
                                                       dbname="unmigrated"),
                            database_read_url=cluster.url("unmigrated"),
                            embedding_model_path=model_path(), db_pool_min_size=1)
        application = create_app(settings, embedder=embedder)
        async with application.router.lifespan_context(application):
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=application),
                                       base_url="http://test")
            async with client:
                cluster.catch_up()
                assert (await client.get("/readyz")).status_code == 200
                await create(client, ALICE, "a", "User likes jazz")
                cluster.catch_up()
                assert await search_keys(client, query="jazz") == {"a"}
    finally:
        drop_database(cluster.primary.admin_url, "unmigrated")


async def test_a_read_url_without_the_schema_leaves_reads_on_the_primary(
        urls: tuple[str, str], cluster: Replica, embedder) -> None:
    """A URL to a database never migrated (here the replica's `postgres`): reads would fail
    there, so they run on the primary, and /readyz says why."""
    settings = Settings(database_url=urls[0], database_read_url=cluster.url("postgres"),
                        embedding_model_path=model_path(), db_pool_min_size=1)
    application = create_app(settings, embedder=embedder)
    async with application.router.lifespan_context(application):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=application),
                                   base_url="http://test")
        async with client:
            await create(client, ALICE, "a", "User likes jazz")
            assert await search_keys(client, query="jazz") == {"a"}
            listing = await client.get("/v1/memories", params={"namespace": "memories.alice"})
            assert [i["key"] for i in listing.json()["items"]] == ["a"]
            ready = await client.get("/readyz")
            assert ready.status_code == 200
            replica = ready.json()["read_replica"]
            assert replica["state"] == "behind on migrations" and replica["reads"] == "primary"
            assert "migrations not applied there" in replica["detail"]
