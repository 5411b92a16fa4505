"""The import embeds the next batch while the last is written, and lands exactly what the
one-batch-at-a-time import did: items, times, vectors, keyword index, history, rejections."""

import asyncio
import json
import re

import numpy as np
import psycopg
import pytest

from app.lifecycle.import_stopped import ImportStopped
from tests.lifecycle.import_helpers import NS, counts, facts, lines_of, transfer
from tests.lifecycle.test_transfer import refuse_keys


def block_writes(url: str) -> psycopg.Connection:
    """Every INSERT into store waits until the returned connection closes."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("""
            CREATE FUNCTION wait_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_lock_shared(4242); PERFORM pg_advisory_unlock_shared(4242);
            RETURN NULL; END $$;
            CREATE TRIGGER wait_for_test BEFORE INSERT ON store
            FOR EACH STATEMENT EXECUTE FUNCTION wait_for_test();""")
    holder = psycopg.connect(url, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(4242)")
    return holder


async def test_the_next_batch_is_embedded_while_the_last_is_written(
        app, embedder, database_url):
    second = asyncio.Event()

    async def hook(call: int) -> None:
        if call == 2:
            second.set()

    service, hooked = transfer(app, embedder, hook, defer_after=10_000)
    holder = block_writes(database_url)
    try:
        task = asyncio.create_task(service.import_lines(lines_of(facts(40)), batch_size=10))
        await asyncio.wait_for(second.wait(), 30)  # batch 1 is stuck in its INSERT
        await asyncio.sleep(0.5)
        assert hooked.calls == 2  # and no further: two batches in flight at most
    finally:
        holder.close()
    report = await task
    assert (report.inserted, hooked.calls) == (40, 4)


async def test_the_next_batch_is_read_while_one_is_embedded(app, embedder, database_url):
    """Reading and comparing a batch no longer leaves the model idle (~2% of an import)."""
    read, third_read = 0, asyncio.Event()

    async def source():
        nonlocal read
        async for line in lines_of(facts(40)):
            read += 1
            if read == 30:
                third_read.set()
            yield line

    async def hook(call: int) -> None:
        if call == 2:  # batch 2 embeds only once batch 3 has been read
            await asyncio.wait_for(third_read.wait(), 5)

    service, hooked = transfer(app, embedder, hook, defer_after=10_000)
    report = await service.import_lines(source(), batch_size=10)
    assert (report.inserted, hooked.calls) == (40, 4)


async def test_a_source_failing_mid_import_reports_exactly_what_was_committed(
        app, embedder, database_url):
    """The batch being embedded is dropped, the one being written commits, and the report
    says so: the lines it names applied are the rows stored."""
    async def source():
        async for line in lines_of(facts(35)):
            yield line
        raise OSError("the upload broke")

    service, _ = transfer(app, embedder, defer_after=10_000)
    with pytest.raises(ImportStopped) as stopped:
        await service.import_lines(source(), batch_size=10)
    applied = int(re.search(r"lines 1-(\d+) were applied", stopped.value.detail)[1])
    assert applied in (20, 30)
    n = counts(database_url)
    assert n["store"] == n["store_vectors"] == n["memory_history"] == applied


async def test_a_mixed_import_lands_items_vectors_keywords_and_history(
        app, client, embedder, database_url):
    seed = [{"namespace": NS, "key": k, "content": c, **more} for k, c, more in (
        ("same", "Carol sings in a choir", {}), ("edit", "Carol swims", {}),
        ("ttl", "Carol runs marathons", {}), ("hide", "Carol hides keys", {}),
        ("show", "Carol shows dogs", {"index": False}))]
    assert (await client.post("/v1/memories/batch", json={"items": seed})).status_code == 201
    exported = {r["key"]: r for r in map(json.loads, (await client.get(
        "/v1/export", params={"prefix": "memories.imp"})).text.splitlines())}
    edit = {k: v for k, v in exported["edit"].items() if k not in ("created_at", "updated_at")}
    edit["value"] = {"kind": "Memory", "content": {"content": "Carol dives off cliffs"}}
    stamped = {"namespace": NS, "key": "new1", "value": {"content": "Carol paints murals"},
               "created_at": "2024-01-02T03:04:05+00:00",
               "updated_at": "2024-02-03T04:05:06+00:00"}
    lines = [exported["same"], edit, {**exported["ttl"], "ttl_minutes": 60},
             {**exported["hide"], "index": False}, {**exported["show"], "index": True},
             stamped, "{not json",
             {"namespace": NS, "key": "new2", "value": {"content": "Carol bakes bread"}},
             {"namespace": NS, "key": "new2", "value": {"content": "Carol bakes sourdough"}}]
    service, hooked = transfer(app, embedder, defer_after=10_000)
    report = await service.import_lines(lines_of(lines), batch_size=3)
    assert (report.inserted, report.updated, report.unchanged) == (2, 5, 1)
    assert report.rejected == [{"line": 7, "error": "not JSON: Expecting property name "
                                                    "enclosed in double quotes"}]
    assert hooked.texts == 5  # edit, show, new1, new2 twice: unchanged texts are not

    after = {r["key"]: r for r in map(json.loads, (await client.get(
        "/v1/export", params={"prefix": "memories.imp"})).text.splitlines())}
    assert after["same"] == exported["same"]
    assert after["edit"]["created_at"] == exported["edit"]["created_at"]
    assert after["edit"]["updated_at"] > exported["edit"]["updated_at"]
    assert after["ttl"]["ttl_minutes"] == 60
    assert after["hide"]["index"] is False and "index" not in after["show"]
    assert (after["new1"]["created_at"], after["new1"]["updated_at"]) == (
        "2024-01-02T03:04:05+00:00", "2024-02-03T04:05:06+00:00")
    assert after["new2"]["value"] == {"content": "Carol bakes sourdough"}

    with psycopg.connect(database_url) as conn:
        vectors = {k: (t, np.array(json.loads(v))) for k, t, v in conn.execute(
            "SELECT key, text, embedding::text FROM store_vectors WHERE prefix = 'memories.imp'"
            " AND field_name = 'text'")}
        keywords = {k for (k,) in conn.execute(
            "SELECT key FROM store_keywords WHERE prefix = 'memories.imp'")}
        history = sorted(conn.execute(
            "SELECT key, action FROM memory_history WHERE prefix = 'memories.imp' "
            "AND source = 'import'").fetchall())
    texts = {"same": "Carol sings in a choir", "edit": "Carol dives off cliffs",
             "ttl": "Carol runs marathons", "show": "Carol shows dogs",
             "new1": "Carol paints murals", "new2": "Carol bakes sourdough"}
    assert {k: t for k, (t, _) in vectors.items()} == texts
    expected = dict(zip(texts, await embedder.embed(list(texts.values())), strict=True))
    for key, (_, vector) in vectors.items():
        assert float(vector @ np.array(expected[key])) > 0.9999, key
    assert keywords == set(texts)
    assert history == [("edit", "update"), ("new1", "insert"), ("new2", "insert"),
                       ("new2", "update")]
    found = await client.post("/v1/search", json={"query": "sourdough", "mode": "keyword",
                                                  "namespace_prefix": NS})
    assert [i["key"] for i in found.json()["items"]] == ["new2"]


async def test_bad_and_refused_lines_are_reported_by_number_across_batches(
        app, embedder, database_url):
    refuse_keys(database_url, "poison", "22023")
    rows: list = facts(25)
    rows[12] = {"namespace": NS, "key": "poison", "value": {"content": "refused"}}
    rows.insert(5, '{"namespace": ["memories"], "key": "k", "value": 3}')
    rows.insert(20, "")
    service, _ = transfer(app, embedder, defer_after=10_000)
    report = await service.import_lines(lines_of(rows), batch_size=4)
    assert report.inserted == 24
    assert report.rejected == [
        {"line": 6, "error": "'value' must be a JSON object"},
        {"line": 14, "error": "the database refused it: refused by the test"}]
