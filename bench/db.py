"""Postgres for the benchmark: an embedded server, migration, and a fast bulk loader.

Rows go straight into the LangGraph store's tables with binary COPY (not through the API),
in the same shape our writes leave them: `store.value = {"kind": "Memory", "content":
{"content": text}}` and one `store_vectors` row per item with field_name 'text' and the
`text` column filled. Loading into an existing HNSW index inserts row by row into the graph,
so the loader drops `store_vectors_embedding_idx`, copies, and recreates it from the exact
definition pg_indexes reported, timing each step.
"""

from __future__ import annotations

import json
import math
import struct
import time
from dataclasses import dataclass, field

import numpy as np
import psycopg
from psycopg.conninfo import make_conninfo

from app.repositories.items import VECTOR_FIELD
from bench.data import Corpus

HNSW_INDEX = "store_vectors_embedding_idx"
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_COPY_TRAILER = struct.pack("!h", -1)


def db_url(admin_url: str, name: str) -> str:
    return make_conninfo(admin_url, dbname=name)


def create_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return db_url(admin_url, name)


@dataclass
class LoadTiming:
    size: int
    truncate_s: float = 0.0
    drop_index_s: float = 0.0
    copy_store_s: float = 0.0
    copy_vectors_s: float = 0.0
    create_index_s: float = 0.0
    vacuum_analyze_s: float = 0.0
    index_definition: str = ""
    triggers_skipped: bool = False
    table_mb: dict[str, float] = field(default_factory=dict)

    total_s: float = 0.0


def _field(data: bytes) -> bytes:
    return struct.pack("!i", len(data)) + data


def _store_copy(corpus: Corpus, order: np.ndarray) -> bytes:
    """Binary COPY rows (prefix, key, value jsonb) in load order."""
    parts = [_COPY_SIGNATURE]
    head = struct.pack("!h", 3)
    for i in order.tolist():
        prefix = ".".join(corpus.namespace(i)).encode()
        value = json.dumps({"kind": "Memory", "content": {"content": corpus.texts[i]}},
                           ensure_ascii=False).encode()
        parts.append(head + _field(prefix) + _field(corpus.key(i).encode())
                     + _field(b"\x01" + value))  # jsonb binary: version 1 + text
    parts.append(_COPY_TRAILER)
    return b"".join(parts)


def _vectors_copy(corpus: Corpus, order: np.ndarray) -> bytes:
    """Binary COPY rows (prefix, key, field_name, embedding vector, text) in load order."""
    dims = corpus.vectors.shape[1]
    vec_head = struct.pack("!ihh", 4 + 4 * dims, dims, 0)  # pgvector binary: dim, unused
    big_endian = corpus.vectors.astype(">f4")
    field_name = _field(VECTOR_FIELD.encode())
    parts = [_COPY_SIGNATURE]
    head = struct.pack("!h", 5)
    for i in order.tolist():
        prefix = ".".join(corpus.namespace(i)).encode()
        parts.append(head + _field(prefix) + _field(corpus.key(i).encode()) + field_name
                     + vec_head + big_endian[i].tobytes() + _field(corpus.texts[i].encode()))
    parts.append(_COPY_TRAILER)
    return b"".join(parts)


def _write_copy(conn: psycopg.Connection, statement: str, data: bytes) -> None:
    with conn.cursor() as cur, cur.copy(statement) as copy:
        view = memoryview(data)
        for start in range(0, len(view), 1 << 20):
            copy.write(view[start : start + (1 << 20)])


def index_definition(conn: psycopg.Connection) -> str | None:
    row = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                       (HNSW_INDEX,)).fetchone()
    return row[0] if row else None


def _build_memory_gb(size: int) -> int:
    """Room for the HNSW graph being built: about 2.1 kB per memory at 384 dimensions (the
    finished index measured 2,048 B/memory at 100k and 300k), doubled for headroom."""
    return max(2, math.ceil(size * 4300 / 2**30))


def load_dataset(url: str, corpus: Corpus, size: int, *, saved_definition: str | None,
                 log=print) -> LoadTiming:
    """Replace the store's rows with the first `size` memories of the corpus."""
    timing = LoadTiming(size)
    order = corpus.load_order(size)
    with psycopg.connect(url, autocommit=True) as conn:
        definition = index_definition(conn) or saved_definition
        if not definition:
            raise RuntimeError(f"{HNSW_INDEX} is missing and no saved definition exists")
        timing.index_definition = definition

        t = time.perf_counter()
        conn.execute("TRUNCATE store, store_vectors")
        timing.truncate_s = time.perf_counter() - t
        # Loaded rows stand for memories that already existed: no row triggers (a history
        # trigger would log every row) and no per-row foreign-key checks. Needs superuser,
        # which the embedded server gives; elsewhere the triggers just run.
        try:
            conn.execute("SET session_replication_role = replica")
            timing.triggers_skipped = True
        except psycopg.Error:
            timing.triggers_skipped = False

        t = time.perf_counter()
        conn.execute(f"DROP INDEX IF EXISTS {HNSW_INDEX}")
        timing.drop_index_s = time.perf_counter() - t

        t = time.perf_counter()
        _write_copy(conn, "COPY store (prefix, key, value) FROM STDIN (FORMAT BINARY)",
                    _store_copy(corpus, order))
        timing.copy_store_s = time.perf_counter() - t

        t = time.perf_counter()
        _write_copy(conn, "COPY store_vectors (prefix, key, field_name, embedding, text) "
                          "FROM STDIN (FORMAT BINARY)", _vectors_copy(corpus, order))
        timing.copy_vectors_s = time.perf_counter() - t
        if timing.triggers_skipped:
            conn.execute("RESET session_replication_role")
        log(f"  copied {size:,} rows in {timing.copy_store_s + timing.copy_vectors_s:.1f}s; "
            "building the HNSW index ...")

        t = time.perf_counter()
        # The graph must fit in maintenance_work_mem or the build slows down a lot; the
        # embedded server's default is 64MB. Session-level only: the app's settings are
        # not touched.
        conn.execute(f"SET maintenance_work_mem = '{_build_memory_gb(size)}GB'")
        conn.execute(definition)
        conn.execute("RESET maintenance_work_mem")
        timing.create_index_s = time.perf_counter() - t

        t = time.perf_counter()
        conn.execute("VACUUM (ANALYZE) store")
        conn.execute("VACUUM (ANALYZE) store_vectors")
        timing.vacuum_analyze_s = time.perf_counter() - t

        for rel in ("store", "store_vectors", HNSW_INDEX):
            mb = conn.execute("SELECT pg_total_relation_size(%s::regclass)",
                              (rel,)).fetchone()[0]
            timing.table_mb[rel] = round(mb / 2**20, 1)
    timing.total_s = (timing.truncate_s + timing.drop_index_s + timing.copy_store_s
                      + timing.copy_vectors_s + timing.create_index_s + timing.vacuum_analyze_s)
    return timing


def postgres_facts(url: str) -> dict[str, str]:
    with psycopg.connect(url, autocommit=True) as conn:
        facts = {"version": conn.execute("SHOW server_version").fetchone()[0]}
        row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        facts["pgvector"] = (row.fetchone() or ["?"])[0]
        for name in ("shared_buffers", "work_mem", "maintenance_work_mem", "jit",
                     "max_parallel_workers_per_gather", "effective_cache_size"):
            facts[name] = conn.execute(f"SHOW {name}").fetchone()[0]
    return facts


def warm_cache(url: str) -> None:
    """Read the tables and the HNSW index once so the first measured queries aren't cold."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT count(*) FROM store")
        conn.execute("SELECT count(*) FROM store_vectors WHERE embedding IS NOT NULL")
        has_prewarm = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_prewarm'").fetchone()
        if has_prewarm:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            for rel in ("store", "store_vectors", HNSW_INDEX, "store_vectors_prefix_idx",
                        "store_pkey", "store_vectors_pkey"):
                conn.execute("SELECT pg_prewarm(%s::regclass)", (rel,))
