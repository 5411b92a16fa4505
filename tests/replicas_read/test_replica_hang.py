"""A replica that stops answering without failing (SIGSTOP: a frozen host, a partition):
each read waits at most READ_REPLICA_TIMEOUT_SECONDS for it, the primary answers, and the
reads after it go straight to the primary; /readyz stays bounded; reads go back to the
replica once it resumes."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI

from app.main import create_app
from tests.replicas_read.cluster import Replica
from tests.replicas_read.freeze import frozen
from tests.replicas_read.helpers import create, lagging, search_keys
from tests.replicas_read.hung import MARGIN, READY_TIMEOUT, TIMEOUT, hang_settings, timed

ALICE = ["memories", "alice"]


@pytest.fixture
async def hang_app(urls: tuple[str, str], embedder) -> AsyncIterator[FastAPI]:
    application = create_app(hang_settings(urls), embedder=embedder)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def hclient(hang_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=hang_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


def reads(client: httpx.AsyncClient) -> dict[str, Callable[[], Awaitable[httpx.Response]]]:
    return {
        "search": lambda: client.post("/v1/search", json={"query": "music"}),
        "list": lambda: client.get("/v1/memories", params={"namespace": "memories.alice"}),
        "get": lambda: client.get("/v1/memories/b", params={"namespace": "memories.alice"}),
    }


def keys(name: str, response: httpx.Response) -> set[str]:
    assert response.status_code == 200, (name, response.text)
    body = response.json()
    return {body["key"]} if name == "get" else {item["key"] for item in body["items"]}


@pytest.mark.parametrize("first", ["search", "list", "get"])
async def test_a_hung_replica_costs_one_read_the_timeout_and_the_next_none(
        first: str, hclient: httpx.AsyncClient, cluster: Replica):
    """~5 s: the replica frozen; "b" is written after it froze, so only the primary has it."""
    await create(hclient, ALICE, "a", "User likes jazz music")
    cluster.catch_up()
    with frozen(cluster):
        await create(hclient, ALICE, "b", "User likes blues music")
        response, took = await timed(reads(hclient)[first]())
        assert "b" in keys(first, response)  # the primary answered
        assert took < TIMEOUT + MARGIN, f"{first} took {took:.1f} s"
        for name, request in reads(hclient).items():  # the replica is known down: no wait
            response, took = await timed(request())
            assert "b" in keys(name, response)
            assert took < TIMEOUT, f"{name} after {first} took {took:.1f} s"


async def test_readyz_answers_in_time_and_says_the_replica_does_not_answer(
        hclient: httpx.AsyncClient, cluster: Replica):
    # The first /readyz of a process is slower on its own (the primary's check, cold).
    assert (await hclient.get("/readyz")).json()["read_replica"]["state"] == "streaming"
    with frozen(cluster):
        for _ in range(2):  # the first finds it hung; the second must not wait longer
            ready, took = await timed(hclient.get("/readyz"))
            assert took < READY_TIMEOUT + MARGIN, f"/readyz took {took:.1f} s"
            assert ready.status_code == 200, ready.text  # reads have the primary
            replica = ready.json()["read_replica"]
            assert replica["state"] == "unreachable" and replica["reads"] == "primary"
            assert replica["detail"] == f"no answer within {READY_TIMEOUT:g} s"


async def test_a_long_hang_then_reads_go_back_to_the_replica(
        hang_app: FastAPI, hclient: httpx.AsyncClient, cluster: Replica):
    """~17 s, on purpose: frozen for longer than psycopg's own cancellation of a query gets
    to end (10 s), then resumed. Meanwhile reads keep answering, only one per back-off
    (5 s) tries the replica again, and each read given up on loses its connection (closed,
    not handed out again); once resumed, reads go back to the replica."""
    await create(hclient, ALICE, "a", "User likes jazz music")
    await lagging(cluster)  # the replica will not have "b": who answered shows
    await create(hclient, ALICE, "b", "User likes blues music")
    pool = hang_app.state.runtime.replica.pool
    with frozen(cluster):
        waited, end = 0, time.monotonic() + 14.0
        while time.monotonic() < end:
            response, took = await timed(hclient.post("/v1/search", json={"query": "music"}))
            assert keys("search", response) == {"a", "b"} and took < TIMEOUT + MARGIN
            waited += took >= TIMEOUT
            await asyncio.sleep(0.3)
        assert 1 <= waited <= 3  # the first read, then one per back-off at most
        stats = pool.get_stats()
        assert stats.get("returns_bad", 0) + stats.get("connections_lost", 0) >= 1, stats
    deadline = time.monotonic() + 5.0 + 10.0
    while await search_keys(hclient, query="music") != {"a"}:  # the replica answers again
        assert time.monotonic() < deadline, "reads did not go back to the replica"
        await asyncio.sleep(0.2)
    ready = (await hclient.get("/readyz")).json()["read_replica"]
    assert ready["state"] == "streaming" and ready["reads"] == "replica"
