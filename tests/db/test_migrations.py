"""Migrations: applied once each, safe when several processes start on one empty database."""

import asyncio
import contextlib
import os
import subprocess
import sys

import httpx
import psycopg

from app.db.migrate import migration_files
from app.main import create_app
from tests.conftest import model_path
from tests.llm_fixtures import llm_settings, open_client


def test_concurrent_processes_all_migrate_one_empty_database(empty_database_url):
    env_cmd = [sys.executable, "-m", "app.cli", "migrate"]
    env = {**os.environ, "DATABASE_URL": empty_database_url,
           "EMBEDDING_MODEL_PATH": model_path() or ""}
    processes = [subprocess.Popen(env_cmd, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT) for _ in range(3)]
    outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    with psycopg.connect(empty_database_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
        store_versions = [r[0] for r in conn.execute("SELECT v FROM store_migrations")]
    assert sorted(versions) == [m.version for m in migration_files()]
    assert len(store_versions) == len(set(store_versions))
    applied_logs = sum(o.count("applied migration") for o in outputs)
    assert applied_logs == len(migration_files())  # each file applied by exactly one process


async def test_readyz_reports_pending_migrations(empty_database_url, settings, embedder):
    unmigrated = settings.model_copy(update={"database_url": empty_database_url,
                                             "migrate_on_start": False})
    app = create_app(unmigrated, embedder=embedder)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert "0001_store_search.sql" in response.json()["detail"]
            assert (await client.get("/livez")).status_code == 200


async def test_readyz_is_ready_when_migrated(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"  # its worker is off: no LLM_MODEL (tests/outage)


async def test_readyz_reports_a_dead_extraction_worker(settings, embedder, llm):
    app, ctx, client = await open_client(llm_settings(settings, llm), embedder)
    try:
        worker = app.state.runtime.queue._worker
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert "extraction worker stopped" in response.json()["detail"]
    finally:
        await client.aclose()
        await ctx.__aexit__(None, None, None)
