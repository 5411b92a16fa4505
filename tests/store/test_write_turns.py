"""WRITE_CONCURRENCY: writes past the bound wait their turn without starting, while reads
and searches go straight through; nothing waits without the bound; and the bound a local
model gets when the setting is unset."""

import asyncio
import os

import httpx
import pytest
from psycopg import OperationalError
from psycopg_pool import PoolTimeout

from app.config import Settings
from app.main import create_app
from app.store.embedders import FastEmbedEmbedder
from app.store.write_turns import WriteTurns, write_concurrency
from tests.store.test_embed_batching import until

HELD = "the write that holds its turn"


class HoldingEmbedder:
    """The real model, but a text containing HELD waits until `release` is set."""

    def __init__(self, inner: FastEmbedEmbedder) -> None:
        self.inner, self.model, self.dims = inner, inner.model, inner.dims
        self.release = asyncio.Event()
        self.seen: list[str] = []

    @property
    def calls(self) -> int:
        return self.inner.calls

    async def embed(self, texts: list[str]) -> list[list[float]]:
        self.seen.extend(texts)
        if any(HELD in t for t in texts):
            await self.release.wait()
        return await self.inner.embed(texts)

    async def aclose(self) -> None:
        pass


def _put(text: str, key: str) -> dict:
    return {"namespace": ["memories", "u1"], "key": key,
            "value": {"kind": "Memory", "content": {"content": text}}}


@pytest.mark.parametrize("bound", [1, 0])
async def test_a_write_past_the_bound_waits_while_reads_pass(settings: Settings, embedder,
                                                             bound: int):
    holding = HoldingEmbedder(embedder)
    app = create_app(settings.model_copy(update={"write_concurrency": bound}),
                     embedder=holding)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        assert (await http.put("/store/items", json=_put("likes tea", "k0"))).status_code == 204
        assert (await http.put("/store/items", json=_put("old news", "gone"))).status_code == 204
        first = asyncio.create_task(http.put("/store/items", json=_put(HELD, "k1")))
        await until(lambda: HELD in holding.seen)
        second = asyncio.create_task(http.put("/store/items", json=_put("plays chess", "k2")))
        turns = app.state.runtime.store.write_turns
        if bound:
            await until(lambda: turns.waiting == 1)
            metrics = (await http.get("/metrics")).text
            assert "\nstore_writes_waiting 1.0\n" in metrics  # the queue, as operators see it
        else:
            await until(lambda: "plays chess" in holding.seen)
        got = await http.get("/store/items", params={"namespace": "memories.u1", "key": "k0"})
        assert got.status_code == 200
        found = await http.post("/store/items/search", json={
            "namespace_prefix": ["memories", "u1"], "query": "what does the user drink?"})
        keys = [i["key"] for i in found.json()["items"]]
        assert keys[0] == "k0" and "k1" not in keys
        deleted = await asyncio.wait_for(http.request("DELETE", "/store/items", json={
            "namespace": ["memories", "u1"], "key": "gone"}), 10)
        assert deleted.status_code == 204  # a delete embeds nothing: it never waits
        # with a bound, the second write has not started: its text never reached the model
        assert ("plays chess" in holding.seen) is (bound == 0)
        if bound:
            assert keys == ["k0", "gone"]
        holding.release.set()
        assert [(await t).status_code for t in (first, second)] == [204, 204]
        assert turns.waiting == 0
        listed = await http.post("/store/items/search", json={
            "namespace_prefix": ["memories", "u1"], "limit": 10})
        assert sorted(i["key"] for i in listed.json()["items"]) == ["k0", "k1", "k2"]


def test_unset_bounds_a_local_models_writes_by_the_cores_and_leaves_a_remote_ones_free():
    cores = len(os.sched_getaffinity(0))
    assert Settings().write_concurrency is None
    assert write_concurrency(None, "fastembed") == cores + 1
    assert write_concurrency(None, "openai") == 0
    assert write_concurrency(0, "fastembed") == 0
    assert write_concurrency(5, "openai") == 5


async def test_writes_queued_behind_one_that_found_the_database_away_fail_with_it_at_once():
    turns, ran = WriteTurns(1), []
    release = asyncio.Event()

    async def write(name: str, fails: bool = False) -> None:
        async with turns.turn():
            ran.append(name)
            if fails:
                await release.wait()
                raise PoolTimeout("couldn't get a connection after 5.00 sec")

    first = asyncio.create_task(write("first", fails=True))
    await until(lambda: ran == ["first"])
    queued = [asyncio.create_task(write(f"queued {i}")) for i in range(3)]
    await until(lambda: turns.waiting == 3)
    release.set()
    outcomes = await asyncio.gather(first, *queued, return_exceptions=True)
    assert all(isinstance(o, PoolTimeout) for o in outcomes)
    assert ran == ["first"]  # the queued ones never started
    await write("after")  # a write that starts once it is known runs as usual
    assert ran == ["first", "after"] and turns.waiting == 0


async def test_a_writes_own_error_stops_only_that_write():
    turns, ran = WriteTurns(1), []
    release = asyncio.Event()

    async def write(name: str, error: Exception | None = None) -> None:
        async with turns.turn():
            ran.append(name)
            if error is not None:
                await release.wait()
                raise error

    first = asyncio.create_task(write("first", OperationalError("statement timeout")))
    await until(lambda: ran == ["first"])
    queued = asyncio.create_task(write("queued"))
    await until(lambda: turns.waiting == 1)
    release.set()
    outcomes = await asyncio.gather(first, queued, return_exceptions=True)
    assert isinstance(outcomes[0], OperationalError) and outcomes[1] is None
    assert ran == ["first", "queued"]
