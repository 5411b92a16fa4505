"""The import's cheaper writes land exactly what the slower ones did: every vector bit for
bit as the embedder returned it (sent as one binary array, not float by float)."""

import asyncio
import json

import numpy as np
import psycopg

from app.db.pool import open_pool
from app.lifecycle.transfer import TransferService
from app.memories.service import MemoryService
from app.store.memory_store import MemoryStore
from tests.lifecycle.import_helpers import NS, facts, lines_of, transfer


def stored_vectors(url: str) -> dict[str, tuple[str, np.ndarray]]:
    with psycopg.connect(url) as conn:
        return {k: (t, np.array(json.loads(v), dtype=np.float32)) for k, t, v in conn.execute(
            "SELECT key, text, embedding::text FROM store_vectors WHERE prefix = %s "
            "AND field_name = 'text'", (".".join(NS),))}


async def test_vectors_land_exactly_as_embedded_new_and_replaced(app, embedder, database_url):
    service, _ = transfer(app, embedder, defer_after=10_000)
    rows = facts(12)
    assert (await service.import_lines(lines_of(rows), batch_size=5)).inserted == 12
    changed = [{**r, "value": {"content": r["value"]["content"] + " (edited)"}}
               for r in rows[:7]]
    assert (await service.import_lines(lines_of(changed), batch_size=5)).updated == 7

    final = changed + rows[7:]
    texts = {r["key"]: r["value"]["content"] for r in final}
    expected = await embedder.embed(list(texts.values()))
    stored = stored_vectors(database_url)
    assert {k: t for k, (t, _) in stored.items()} == texts
    for (key, _), vector in zip(texts.items(), expected, strict=True):
        assert np.array_equal(stored[key][1], np.array(vector, dtype=np.float32)), key


def trigger_calls(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute(
            "SELECT funcname, calls FROM pg_stat_user_functions WHERE funcname IN "
            "('memory_record_history', 'memory_record_inserts', 'memory_keywords_sync', "
            "'memory_keywords_insert_rows', 'webhook_memory_events')").fetchall())


async def test_a_batch_of_new_rows_calls_each_trigger_once_not_once_a_row(
        app, embedder, database_url):
    """Per-row trigger calls cost as much Postgres CPU as the rows themselves (0016)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        db = conn.execute("SELECT current_database()").fetchone()[0]
        conn.execute(f'ALTER DATABASE "{db}" SET track_functions = \'all\'')
    pool = await open_pool(database_url, min_size=1, max_size=2)  # sessions that track
    try:
        store = MemoryStore(pool, embedder)
        service = TransferService(pool, MemoryService(store, app.state.runtime.settings),
                                  defer_index_min_lines=10_000)
        assert (await service.import_lines(lines_of(facts(40)), batch_size=20)).inserted == 40
    finally:
        await pool.close()  # a backend reports its counts as it exits
    calls: dict[str, int] = {}
    for _ in range(50):
        if calls := trigger_calls(database_url):
            break
        await asyncio.sleep(0.1)
    assert calls.get("memory_record_history", 0) == 0
    assert calls.get("memory_keywords_sync", 0) == 0
    assert calls["memory_record_inserts"] <= 2 and calls["memory_keywords_insert_rows"] <= 2


async def test_history_and_keywords_of_an_import_are_what_the_row_triggers_recorded(
        app, client, embedder, database_url):
    """The same history rows, in line order, with the import's source; keyword rows for
    indexed items only; updates and deletes still recorded per row."""
    service, _ = transfer(app, embedder, defer_after=10_000)
    rows = facts(6)
    rows[2] = {**rows[2], "index": False}
    await service.import_lines(lines_of(rows), batch_size=4)
    edited = [facts(1, start=10)[0], {**rows[0], "value": {"content": "Edited fact"}},
              facts(1, start=11)[0]]
    await service.import_lines(lines_of(edited), batch_size=4)  # one update, two inserts
    assert (await client.delete("/v1/memories/f1", params={"namespace": ".".join(NS)})
            ).status_code == 204
    with psycopg.connect(database_url) as conn:
        history = conn.execute(
            "SELECT key, action, old_value, new_value, source, job_id FROM memory_history "
            "WHERE prefix = %s ORDER BY id", (".".join(NS),)).fetchall()
        keywords = {k: t for k, t in conn.execute(
            "SELECT key, tsv::text FROM store_keywords WHERE prefix = %s", (".".join(NS),))}
    assert history[:6] == [(r["key"], "insert", None, r["value"], "import", None)
                           for r in rows]
    # One statement: its updates' entries (per row) come before its inserts' (per statement).
    assert history[6:9] == [
        ("f0", "update", rows[0]["value"], edited[1]["value"], "import", None),
        *[(r["key"], "insert", None, r["value"], "import", None) for r in edited[::2]]]
    assert history[9][:2] == ("f1", "delete")
    assert set(keywords) == {"f0", "f3", "f4", "f5", "f10", "f11"}
    assert keywords["f0"] == "'edit':1 'fact':2" and "'topic':5" in keywords["f10"]
