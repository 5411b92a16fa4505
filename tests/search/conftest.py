"""Fixtures: our service at each search path, the plain store, and the shared big table.

Our MemoryStore answers a semantic search exactly when at most `exact_search_threshold`
items could match and with an HNSW iterative scan above that. "exact" runs the app with the
default threshold (20,000), "ann" with 0, so every search with a candidate takes the HNSW path.
"""

import contextlib
import itertools
import os
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from langgraph.store.postgres import AsyncPostgresStore

from app.config import Settings
from app.db.pool import open_pool
from app.main import create_app
from app.repositories import search as search_sql
from app.store.embedders import FastEmbedEmbedder
from tests.conftest import create_database, drop_database, model_path
from tests.search import bigtable
from tests.search.bigtable import BigTable
from tests.search.helpers import Service

PATHS = ["exact", "ann"]
_db_numbers = itertools.count()
THRESHOLDS = {"exact": Settings.model_fields["exact_search_threshold"].default, "ann": 0}


def plain_index(embedder: FastEmbedEmbedder) -> dict:
    return {"dims": 384, "embed": embedder.embed, "fields": ["$"]}


@contextlib.contextmanager
def own_database(admin_url: str, template: str, label: str) -> Iterator[str]:
    """A migrated database cloned from the session's template, dropped afterwards."""
    name = f"memsearch_{label}_{os.getpid()}_{next(_db_numbers)}"
    try:
        yield create_database(admin_url, name, template=template)
    finally:
        drop_database(admin_url, name)


@contextlib.asynccontextmanager
async def running_service(url: str, path: str,
                          embedder: FastEmbedEmbedder) -> AsyncIterator[Service]:
    settings = Settings(database_url=url, embedding_model_path=model_path(),
                        db_pool_min_size=1, db_pool_max_size=4,
                        exact_search_threshold=THRESHOLDS[path],
                        # /store and tools have no mode field: compare vector search with the
                        # plain store's (tests/hybrid covers the other modes).
                        search_default_mode="semantic")
    app = create_app(settings, embedder=embedder)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Service(path, client, app.state.runtime.store)


@pytest.fixture(scope="module", params=PATHS)
async def service(request, pg_admin_url: str, template_db: str,
                  embedder: FastEmbedEmbedder) -> AsyncIterator[Service]:
    """Our app on a fresh database, searching by the exact or the HNSW path; one per module
    and path (starting an app per test would double the run time), so each test writes
    under its own namespace, `ns`."""
    with own_database(pg_admin_url, template_db, request.param) as url:
        async with running_service(url, request.param, embedder) as service:
            yield service


@pytest.fixture(scope="module")
async def writer(pg_admin_url: str, template_db: str,
                 embedder: FastEmbedEmbedder) -> AsyncIterator[Service]:
    """Our app for tests of writes alone, where the search path makes no difference."""
    with own_database(pg_admin_url, template_db, "writer") as url:
        async with running_service(url, "exact", embedder) as service:
            yield service


@pytest.fixture
def ns(request) -> tuple[str, ...]:
    """A namespace of this test's own."""
    return ("t", re.sub(r"[^A-Za-z0-9]+", "_", request.node.name))


@pytest.fixture
async def plain(database_url: str,
                embedder: FastEmbedEmbedder) -> AsyncIterator[AsyncPostgresStore]:
    """LangGraph's own AsyncPostgresStore on a fresh database, configured as documented.
    The database already has its tables (our migrations run its setup), so no setup()."""
    pool = await open_pool(database_url, min_size=1, max_size=4)
    try:
        yield AsyncPostgresStore(pool, index=plain_index(embedder))
    finally:
        await pool.close()


@pytest.fixture
def search_paths(monkeypatch) -> list[str]:
    """The search paths our store took, in order: "exact" and/or "ann"."""
    taken: list[str] = []
    for name, label in (("exact_vector_search", "exact"), ("ann_vector_stream", "ann")):
        original = getattr(search_sql, name)

        async def spy(*args, _original=original, _label=label, **kwargs):
            taken.append(_label)
            return await _original(*args, **kwargs)

        monkeypatch.setattr(search_sql, name, spy)
    return taken


@pytest.fixture(scope="session")
async def big(pg_admin_url: str, template_db: str,
              embedder: FastEmbedEmbedder) -> AsyncIterator[BigTable]:
    """The big table of tests/search/bigtable.py, with our app on it at both settings."""
    with own_database(pg_admin_url, template_db, "big") as url:
        async with contextlib.AsyncExitStack() as stack:
            pool = await open_pool(url, min_size=1, max_size=4)
            stack.push_async_callback(pool.close)
            await bigtable.load_background(pool, await embedder.embed(bigtable.base_sentences()))
            services = {path: await stack.enter_async_context(
                running_service(url, path, embedder)) for path in PATHS}
            texts = bigtable.tenant_sentences()
            created = await services["exact"].client.post("/v1/memories/batch", json={"items": [
                {"namespace": list(bigtable.TENANT), "key": key, "content": text}
                for key, text in texts.items()]})
            assert created.status_code == 201, created.text
            await bigtable.analyze(pool)
            yield BigTable(
                pool=pool,
                plain=AsyncPostgresStore(pool, index=plain_index(embedder)),
                services=services,
                tenant_texts=texts,
            )
