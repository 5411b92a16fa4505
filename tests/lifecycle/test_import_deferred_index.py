"""A large import into a small table sets the HNSW index aside and builds it after the load
(CONCURRENTLY, under an advisory lock), whatever ends the import."""

import asyncio

import psycopg
import pytest
from langgraph.store.base import SearchOp

from app.lifecycle.deferred_index import rebuild_left_aside
from app.lifecycle.import_stopped import ImportStopped
from app.repositories import vector_index as index_sql
from app.search.config import SearchTuning
from app.store.memory_store import MemoryStore
from tests.lifecycle.import_helpers import (
    counts,
    facts,
    hnsw_indexes,
    lines_of,
    lock_free,
    transfer,
)

INDEX = "store_vectors_embedding_idx"


async def test_a_large_import_builds_the_index_after_the_load(app, embedder, database_url):
    seen: dict[int, dict] = {}

    async def hook(call: int) -> None:
        seen[call] = hnsw_indexes(database_url)

    service, _ = transfer(app, embedder, hook, defer_after=20)
    report = await service.import_lines(lines_of(facts(60)), batch_size=10)
    assert report.inserted == 60
    assert seen[1] == {INDEX: True}  # a small import so far: the index is kept
    assert seen[4] == {}  # past 20 lines: set aside
    assert hnsw_indexes(database_url) == {INDEX: True}  # built again, valid
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT value FROM service_meta WHERE key = %s",
                            (index_sql.MARKER,)).fetchone() is None
    assert lock_free(database_url)
    assert counts(database_url)["store_vectors"] == 60


async def test_a_small_import_or_one_into_a_larger_table_keeps_the_index(
        app, embedder, database_url):
    seen = []

    async def hook(call: int) -> None:
        seen.append(hnsw_indexes(database_url))

    service, _ = transfer(app, embedder, hook, defer_after=20)
    await service.import_lines(lines_of(facts(15)), batch_size=5)  # under the threshold
    await service.import_lines(lines_of(facts(10, start=100)), batch_size=5)  # table: 15
    assert seen and all(s == {INDEX: True} for s in seen)


async def test_importing_the_same_file_again_does_not_rebuild_the_index(
        app, embedder, database_url):
    service, _ = transfer(app, embedder, defer_after=20)
    await service.import_lines(lines_of(facts(30)), batch_size=10)
    before = _index_oid(database_url)
    again = await service.import_lines(lines_of(facts(30)), batch_size=10, expected_lines=30)
    assert again.unchanged == 30
    assert _index_oid(database_url) == before  # not dropped and built again


def _index_oid(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT to_regclass(%s)::oid", (INDEX,)).fetchone()[0]


async def test_a_search_during_the_load_is_exact_and_correct(app, embedder, database_url):
    pool = app.state.runtime.pool
    others = [{"namespace": ["memories", "bob"], "key": f"b{i}", "value": {"content": text}}
              for i, text in enumerate(["Bob likes green tea", "Bob drives a red truck",
                                        "Bob's cat is called Miso", "Bob plays the cello",
                                        "Bob lives in Lisbon"])]
    service, _ = transfer(app, embedder, defer_after=1000)
    await service.import_lines(lines_of(others))
    ann = MemoryStore(pool, embedder, tuning=SearchTuning(exact_threshold=1))  # HNSW path
    exact = MemoryStore(pool, embedder, tuning=SearchTuning(exact_threshold=10_000))
    op = SearchOp(("memories", "bob"), query="what instrument does Bob play?", limit=3)
    found: list = []

    async def hook(call: int) -> None:
        if call == 4:
            found.append((hnsw_indexes(database_url), await ann.search_items(op, "semantic"),
                          await exact.search_items(op, "semantic")))

    service, _ = transfer(app, embedder, hook, defer_after=20)
    await service.import_lines(lines_of(facts(60)), batch_size=10)
    index, during, reference = found[0]
    assert index == {}  # the index was set aside while searching
    assert [i.key for i in during] == [i.key for i in reference]
    assert during[0].key == "b3"
    assert [round(i.score, 5) for i in during] == [round(i.score, 5) for i in reference]


async def test_a_cancelled_import_leaves_the_index_and_a_consistent_table(
        app, embedder, database_url):
    stalled, seen = asyncio.Event(), {}

    async def hook(call: int) -> None:
        if call == 5:
            seen["index"] = hnsw_indexes(database_url)
            stalled.set()
            await asyncio.sleep(3600)

    service, _ = transfer(app, embedder, hook, defer_after=20)
    task = asyncio.create_task(service.import_lines(lines_of(facts(80)), batch_size=10))
    await asyncio.wait_for(stalled.wait(), 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen["index"] == {}  # it was set aside when cancelled
    await _wait_for(lambda: hnsw_indexes(database_url) == {INDEX: True})
    await _wait_for(lambda: lock_free(database_url))
    n = counts(database_url)
    assert n["store"] % 10 == 0 and 30 <= n["store"] <= 40  # whole batches only
    assert n["store"] == n["store_vectors"] == n["store_keywords"] == n["memory_history"]


async def test_a_failed_import_rebuilds_the_index_and_says_what_it_applied(
        app, embedder, database_url):
    async def hook(call: int) -> None:
        if call == 5:
            raise RuntimeError("the model broke")

    service, _ = transfer(app, embedder, hook, defer_after=20)
    with pytest.raises(ImportStopped) as stopped:
        await service.import_lines(lines_of(facts(80)), batch_size=10)
    assert "lines 1-40 were applied: 40 inserted" in stopped.value.detail
    assert hnsw_indexes(database_url) == {INDEX: True}
    assert counts(database_url)["store_vectors"] == 40
    assert lock_free(database_url)


async def test_two_imports_do_not_race_over_the_index(app, embedder, database_url):
    stalled, go = asyncio.Event(), asyncio.Event()

    async def hold(call: int) -> None:
        if call == 4:
            stalled.set()
            await go.wait()

    first, _ = transfer(app, embedder, hold, defer_after=20)
    task = asyncio.create_task(first.import_lines(lines_of(facts(60)), batch_size=10))
    await asyncio.wait_for(stalled.wait(), 60)
    assert hnsw_indexes(database_url) == {}
    second, _ = transfer(app, embedder, defer_after=20)
    other = facts(40, ns=["memories", "other"])
    assert (await second.import_lines(lines_of(other), batch_size=10)).inserted == 40
    assert hnsw_indexes(database_url) == {}  # the first import owns the rebuild
    go.set()
    assert (await task).inserted == 60
    assert hnsw_indexes(database_url) == {INDEX: True}
    assert counts(database_url)["store_vectors"] == 100


async def test_an_index_left_aside_by_a_killed_import_is_rebuilt_by_the_next(
        app, embedder, database_url):
    async with app.state.runtime.pool.connection() as conn:
        await index_sql.set_aside(conn)  # what a process killed mid-import leaves
    assert hnsw_indexes(database_url) == {}
    service, _ = transfer(app, embedder, defer_after=20)
    await service.import_lines(lines_of(facts(3)))
    assert hnsw_indexes(database_url) == {INDEX: True}


async def test_an_index_left_aside_by_a_killed_import_is_rebuilt_at_start(
        app, database_url):
    async with app.state.runtime.pool.connection() as conn:
        await index_sql.set_aside(conn)  # what a process killed mid-import leaves
    assert hnsw_indexes(database_url) == {}
    await rebuild_left_aside(app.state.runtime.pool)  # what a server runs as it starts
    assert hnsw_indexes(database_url) == {INDEX: True}
    await rebuild_left_aside(app.state.runtime.pool)  # nothing left aside: nothing to do
    assert hnsw_indexes(database_url) == {INDEX: True}


async def _wait_for(condition, seconds: float = 30.0) -> None:
    """The rebuild after a cancellation runs on, shielded: wait for it to land."""
    for _ in range(int(seconds * 10)):
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")
