"""A fake OpenAI-compatible LLM (tests/fakes/llm_server.py) and a real server extracting
through it, for the extraction and debounce scenarios.

The server is a second `memory-service serve`, on a database of its own: every server runs a
job worker, and the search server's (no LLM configured) would take these jobs and fail them.
Its worker polls every 0.2 s, so a debounced job starts soon after its quiet period ends.
LangMem runs on LangGraph's AsyncPostgresStore on the same database.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import httpx
from langgraph.store.postgres import AsyncPostgresStore

from app.db.migrate import migrate
from app.db.pool import open_pool
from app.store.embedders import Embedder
from app.store.memory_store import MemoryStore
from bench import db
from bench.llm_script import respond
from tests.fakes.llm_server import FakeLLMServer
from tests.live_server import LiveServer

MODEL = "openai:gpt-4o-mini"
API_KEY = "sk-bench"
DATABASE = "bench_llm"


@dataclass
class ExtractionEnv:
    fake: FakeLLMServer
    url: str
    client: httpx.AsyncClient
    store: AsyncPostgresStore  # LangGraph's, on the extracting server's database

    def reset(self) -> None:
        """Zero the fake's counters; every request is answered by bench/llm_script.py."""
        self.fake.reset()
        self.fake.script(default=respond)


async def start_extraction_env(stack: contextlib.AsyncExitStack, admin_url: str,
                               embedder: Embedder, model_path: str) -> ExtractionEnv:
    url = db.create_database(admin_url, DATABASE)
    pool = await open_pool(url, min_size=1, max_size=4)
    stack.push_async_callback(pool.close)
    await migrate(url, MemoryStore(pool, embedder))
    fake = await stack.enter_async_context(FakeLLMServer())
    env = {"DATABASE_URL": url, "EMBEDDING_MODEL_PATH": model_path,
           "LLM_MODEL": MODEL, "OPENAI_BASE_URL": fake.openai_url, "OPENAI_API_KEY": API_KEY,
           "LLM_MAX_RETRIES": "0", "JOB_POLL_INTERVAL_SECONDS": "0.2",
           "LOG_LEVEL": "warning"}
    server = stack.enter_context(LiveServer.start(env, timeout=120))
    client = await stack.enter_async_context(
        httpx.AsyncClient(base_url=server.url, timeout=120.0))

    async def embed(texts: list[str]) -> list[list[float]]:
        return await embedder.embed(list(texts))

    store = AsyncPostgresStore(pool, index={"dims": embedder.dims, "embed": embed,
                                            "fields": ["$"]})
    extraction = ExtractionEnv(fake, server.url, client, store)
    extraction.reset()
    return extraction
