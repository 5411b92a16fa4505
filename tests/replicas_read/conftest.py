"""A primary with a streaming replica for the session (cluster.py), a migrated database
cloned on the primary for every test and followed by the replica, and the app on both."""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from psycopg.conninfo import conninfo_to_dict

from app.config import Settings
from app.db.migrate import migrate
from app.db.pool import open_pool
from app.main import create_app
from app.store.embedders import FastEmbedEmbedder
from app.store.memory_store import MemoryStore
from tests.conftest import create_database, fresh_database, model_path
from tests.replicas_read.cluster import Replica, streaming_cluster

TEMPLATE = "replica_template"


@pytest.fixture(scope="session")
def cluster() -> Iterator[Replica]:
    with streaming_cluster() as replica:
        yield replica


@pytest.fixture(scope="session")
async def replica_template(cluster: Replica, embedder: FastEmbedEmbedder) -> str:
    url = create_database(cluster.primary.admin_url, TEMPLATE)
    pool = await open_pool(url, min_size=1, max_size=2)
    try:
        await migrate(url, MemoryStore(pool, embedder))
    finally:
        await pool.close()
    return TEMPLATE


@pytest.fixture
def urls(cluster: Replica, replica_template: str) -> Iterator[tuple[str, str]]:
    """(primary URL, replica URL) of one fresh database, replayed on the replica."""
    with fresh_database(cluster.primary.admin_url, replica_template) as url:
        cluster.catch_up()
        yield url, cluster.url(conninfo_to_dict(url)["dbname"])
        cluster.ensure_streaming()  # a test that stopped or paused it leaves it as it was


@pytest.fixture
def replica_settings(urls: tuple[str, str]) -> Settings:
    return Settings(database_url=urls[0], database_read_url=urls[1],
                    embedding_model_path=model_path(), db_pool_min_size=1, db_pool_max_size=10)


@pytest.fixture
async def replica_app(replica_settings: Settings, embedder: FastEmbedEmbedder):
    application = create_app(replica_settings, embedder=embedder)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def rclient(replica_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=replica_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c
