"""Stopping with a hung replica, and the replica pool's own connection attempts to it:
both bounded, nothing left open on the replica afterwards."""

import asyncio
import time

import httpx
from psycopg.conninfo import conninfo_to_dict

from app.db.read_pool import REPLICA_CLOSE_SECONDS, ReadReplica
from app.main import create_app
from tests.replicas_read.cluster import Replica
from tests.replicas_read.freeze import frozen
from tests.replicas_read.helpers import create
from tests.replicas_read.hung import BOUND, MARGIN, TIMEOUT, hang_settings, timed

ALICE = ["memories", "alice"]


async def test_shutdown_with_a_hung_replica_is_bounded(urls: tuple[str, str], embedder,
                                                       cluster: Replica):
    """Reads given up on, and connections the pool holds to the frozen replica, must not
    keep the app from stopping; none is left open on the replica afterwards."""
    application = create_app(hang_settings(urls), embedder=embedder)
    lifespan = application.router.lifespan_context(application)
    await lifespan.__aenter__()
    try:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=application),
                                   base_url="http://test")
        async with client:
            await create(client, ALICE, "a", "User likes jazz music")
            cluster.catch_up()
            with frozen(cluster):
                response, _ = await timed(client.post("/v1/search", json={"query": "music"}))
                assert response.status_code == 200, response.text
                assert [item["key"] for item in response.json()["items"]] == ["a"]
                replica = application.state.runtime.replica
                assert replica.reads_given_up == 1  # its query still being cancelled
                entered, lifespan = lifespan, None
                start = time.monotonic()
                async with asyncio.timeout(BOUND):
                    await entered.__aexit__(None, None, None)
                took = time.monotonic() - start
                # The replica's pool waits at most that long for its own tasks, and the
                # reads given up on at most that long again.
                assert took < 2 * REPLICA_CLOSE_SECONDS + MARGIN, f"shutdown took {took:.1f} s"
                assert replica.reads_given_up == 0  # ended, its connection closed
    finally:
        if lifespan is not None:
            await lifespan.__aexit__(None, None, None)
    dbname = conninfo_to_dict(urls[1])["dbname"]
    deadline = time.monotonic() + 10
    while cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", dbname):
        assert time.monotonic() < deadline, "connections left open on the replica"
        await asyncio.sleep(0.1)


async def test_the_pools_own_connection_attempts_to_a_hung_replica_give_up(
        urls: tuple[str, str], cluster: Replica):
    """~3 s: connect_timeout (libpq's least, 2 s); without it an attempt would wait for as
    long as the replica stays frozen."""
    with frozen(cluster):
        replica = await ReadReplica.open(urls[1], min_size=1, max_size=2, timeout=TIMEOUT)
        try:
            deadline = time.monotonic() + 2.0 + MARGIN + 2.0
            while not replica.pool.get_stats().get("connections_errors"):
                assert time.monotonic() < deadline, "a connection attempt never gave up"
                await asyncio.sleep(0.1)
        finally:
            await replica.close()
