"""Migration 0011 on a database written before thread ids were per key: threads keep their
owner and metadata, runs keep their thread, a run another key raced onto a thread stays out of
its owner's listings, and a thread's old unfinished run is still replaced by its next one."""

import uuid

import psycopg
import pytest
from psycopg.types.json import Jsonb
from pydantic import SecretStr

from app.auth.keys import hash_key
from app.db.migrate import migrate, migration_files
from app.db.pool import open_pool
from app.repositories import migrations as ledger
from app.store.memory_store import MemoryStore
from tests.auth.conftest import ADMIN_KEY, bearer
from tests.llm_fixtures import llm_settings, open_client

BEFORE = 10  # the last migration before thread ids were scoped
ALICE, BOB = uuid.uuid4(), uuid.uuid4()
JOBS = {name: uuid.uuid4() for name in ("alice", "raced", "admin", "orphan")}


async def migrate_to(url: str, store: MemoryStore, last: int) -> None:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await store.setup()
        await ledger.ensure_ledger(conn)
        for m in migration_files():
            if m.version <= last:
                await ledger.apply(conn, m.version, m.name, m.path.read_text())


def write_legacy_rows(url: str) -> None:
    """What 0010 held after the race: bob's run landed on alice's thread t1."""
    with psycopg.connect(url, autocommit=True) as conn:
        for key_id, who in ((ALICE, "alice"), (BOB, "bob")):
            conn.execute(
                "INSERT INTO api_keys (id, name, identity, visible_prefix, key_hash, grants) "
                "VALUES (%s, %s, %s, 'msk_legacy', %s, %s)",
                (key_id, who, who, hash_key(f"key-of-{who}"),
                 Jsonb([{"prefix": ["memories", who], "access": "write"}])))
        jobs = {"alice": ("memories.alice", "t1", "queued"),
                "raced": ("memories.bob", "t1", "queued"),
                "admin": ("memories.x", "shared-t", "succeeded"),
                "orphan": ("memories.x", "lost", "succeeded")}
        for name, (namespace, thread, status) in jobs.items():
            conn.execute("INSERT INTO extraction_jobs (id, namespace, thread_id, status, "
                         "request) VALUES (%s, %s, %s, %s, %s)",
                         (JOBS[name], namespace, thread, status, Jsonb({"messages": [
                             {"role": "user", "content": "I moved to Lisbon"}]})))
            conn.execute("INSERT INTO extraction_runs (run_id, thread_id, assistant_id, "
                         "multitask_strategy) VALUES (%s, %s, 'memory', 'rollback')",
                         (JOBS[name], thread))
        conn.execute("INSERT INTO run_threads (thread_id, metadata, owner_key, created_at) "
                     "VALUES ('t1', '{\"topic\": \"travel\"}', %s, '2026-01-02T03:04:05Z'), "
                     "('shared-t', '{}', NULL, now())", (str(ALICE),))


@pytest.fixture
async def upgraded(empty_database_url, settings, embedder, llm):
    pool = await open_pool(empty_database_url, min_size=1, max_size=2)
    try:
        store = MemoryStore(pool, embedder)
        await migrate_to(empty_database_url, store, BEFORE)
        write_legacy_rows(empty_database_url)
        await migrate(empty_database_url, store)
    finally:
        await pool.close()
    app, ctx, client = await open_client(llm_settings(settings.model_copy(update={
        "database_url": empty_database_url, "admin_api_key": SecretStr(ADMIN_KEY)}), llm),
        embedder)
    try:
        yield client
    finally:
        await client.aclose()
        await ctx.__aexit__(None, None, None)


async def test_existing_threads_and_runs_survive_and_stay_apart(upgraded):
    alice, bob, admin = bearer("key-of-alice"), bearer("key-of-bob"), bearer(ADMIN_KEY)
    thread = (await upgraded.get("/threads/t1", headers=alice)).json()
    assert thread["metadata"] == {"topic": "travel"}
    assert thread["created_at"].startswith("2026-01-02T03:04:05")
    listed = (await upgraded.get("/threads/t1/runs", headers=alice)).json()
    assert [r["run_id"] for r in listed] == [str(JOBS["alice"])]  # not bob's raced run
    raced = await upgraded.get(f"/threads/t1/runs/{JOBS['raced']}", headers=alice)
    assert raced.status_code == 404
    assert (await upgraded.get("/threads/t1", headers=bob)).status_code == 404
    for thread_id, job in (("shared-t", "admin"), ("lost", "orphan")):
        runs = (await upgraded.get(f"/threads/{thread_id}/runs", headers=admin)).json()
        assert [r["run_id"] for r in runs] == [str(JOBS[job])]
    job = (await upgraded.get(f"/v1/jobs/{JOBS['alice']}", headers=admin)).json()
    assert job["thread_id"] == f"{ALICE}/t1"
    job = (await upgraded.get(f"/v1/jobs/{JOBS['admin']}", headers=admin)).json()
    assert job["thread_id"] == "shared-t"
    # alice's next run on t1 replaces her run queued before the upgrade
    run = await upgraded.post("/threads/t1/runs", headers=alice, json={
        "assistant_id": "memory", "multitask_strategy": "rollback", "after_seconds": 3600,
        "input": {"messages": [{"role": "user", "content": "I moved to Porto"}]}})
    assert run.status_code == 200, run.text
    old = (await upgraded.get(f"/threads/t1/runs/{JOBS['alice']}", headers=alice)).json()
    assert old["status"] == "interrupted" and old["superseded_by"] == run.json()["run_id"]
