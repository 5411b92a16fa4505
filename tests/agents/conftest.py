"""One live server for the agent tests, its extraction model the session's fake LLM server.

Tests share it: each works in its own namespace (`user` gives a fresh user id), except the
quickstarts, which own the ("memories",) prefix and clear it first.
"""

import uuid
from collections.abc import Iterator

import httpx
import pytest

from app.client import RemoteStore
from tests.conftest import fresh_database, model_path
from tests.fakes.llm_server import FakeLLMServer
from tests.live_server import LiveServer


@pytest.fixture(scope="session")
def agent_server_db(pg_admin_url: str, template_db: str) -> Iterator[str]:
    with fresh_database(pg_admin_url, template_db) as url:
        yield url


@pytest.fixture(scope="session")
def agent_server(agent_server_db: str, fake_llm: FakeLLMServer) -> Iterator[LiveServer]:
    """`memory-service serve`, extracting with the fake LLM (OpenAI wire format)."""
    with LiveServer.start({
        "DATABASE_URL": agent_server_db, "EMBEDDING_MODEL_PATH": model_path() or "",
        "LLM_MODEL": "openai:gpt-4o-mini", "OPENAI_BASE_URL": fake_llm.openai_url,
        "OPENAI_API_KEY": "sk-test", "LLM_MAX_RETRIES": "0", "JOB_RETRY_WAIT_SECONDS": "0",
        "JOB_POLL_INTERVAL_SECONDS": "0.1", "LOG_LEVEL": "warning",
    }) as server:
        yield server


@pytest.fixture
def api(agent_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=agent_server.url, timeout=30) as client:
        yield client


@pytest.fixture
def remote(agent_server: LiveServer) -> Iterator[RemoteStore]:
    with RemoteStore(agent_server.url) as store:
        yield store


@pytest.fixture
def user() -> str:
    return f"u{uuid.uuid4().hex[:12]}"

