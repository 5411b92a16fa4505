"""LLM fixtures (registered in tests/conftest.py): the app pointed at the fake LLM server."""

import httpx
import pytest

from app.main import create_app
from tests.fakes.llm_server import FakeLLMServer

NS = ["memories", "alice"]


@pytest.fixture(scope="session")
def fake_llm():
    with FakeLLMServer() as fake:
        yield fake


@pytest.fixture
def llm(fake_llm):
    fake_llm.reset()
    return fake_llm


def llm_settings(settings, fake: FakeLLMServer, provider: str = "openai", **overrides):
    model = "gpt-4o-mini" if provider == "openai" else "claude-sonnet-4-5"
    return settings.model_copy(update={
        "llm_model": f"{provider}:{model}", "openai_base_url": fake.openai_url,
        "openai_api_key": "sk-test", "anthropic_base_url": fake.anthropic_url,
        "anthropic_api_key": "sk-ant-test", "llm_max_retries": 0,
        "job_retry_wait_seconds": 0, "job_poll_interval_seconds": 0.1, **overrides})


async def open_client(settings, embedder):
    app = create_app(settings, embedder=embedder)
    ctx = app.router.lifespan_context(app)
    await ctx.__aenter__()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    return app, ctx, client


@pytest.fixture
async def extract_client(settings, embedder, llm):
    app, ctx, client = await open_client(llm_settings(settings, llm), embedder)
    try:
        yield client
    finally:
        await client.aclose()
        await ctx.__aexit__(None, None, None)


def conversation(*texts: str) -> list[dict]:
    roles = ("user", "assistant")
    return [{"role": roles[i % 2], "content": t} for i, t in enumerate(texts)]


def memory_ids(prompt: str) -> dict[str, str]:
    """content text -> the short id the model was shown for it."""
    import json
    ids = {}
    for line in prompt.splitlines():
        if line.startswith('{"id":'):
            shown = json.loads(line)
            content = shown["content"]
            ids[content.get("content", json.dumps(content)) if isinstance(content, dict)
                else content] = shown["id"]
    return ids


def live_server_env(database_url: str, fake: FakeLLMServer) -> dict[str, str]:
    """Environment for a `memory-service serve` process that extracts through the fake, with
    job timings short enough for tests (stalled workers noticed within 2 s)."""
    from tests.conftest import model_path

    return {"DATABASE_URL": database_url, "EMBEDDING_MODEL_PATH": model_path() or "",
            "LLM_MODEL": "openai:gpt-4o-mini", "OPENAI_BASE_URL": fake.openai_url,
            "OPENAI_API_KEY": "sk-test", "LLM_MAX_RETRIES": "0",
            "JOB_POLL_INTERVAL_SECONDS": "0.2", "JOB_HEARTBEAT_SECONDS": "0.5",
            "JOB_STALLED_AFTER_SECONDS": "2", "JOB_RETRY_WAIT_SECONDS": "0"}
