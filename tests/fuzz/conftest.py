"""One real `memory-service serve` process for the fuzz module: API keys on (ADMIN_API_KEY),
extraction through the fake LLM server, its own database."""

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import fresh_database
from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env

ADMIN_KEY = "fuzz-admin-key-0123456789abcdef"
SCOPED_GRANT = ["memories", "alice"]
# What the fake model answers every extraction: one new memory, so extractions write.
EXTRACTION_ANSWER = {"operations": [{"action": "insert", "content": "User likes fuzzing"}]}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def fuzz_server(pg_admin_url, template_db, fake_llm) -> Iterator[LiveServer]:
    fake_llm.reset()
    fake_llm.script(default=EXTRACTION_ANSWER)
    env = {"ADMIN_API_KEY": ADMIN_KEY,
           "SHUTDOWN_GRACE_SECONDS": "0"}  # queued runs need not finish when the module ends
    try:
        with fresh_database(pg_admin_url, template_db) as url, LiveServer.start(
                {**live_server_env(url, fake_llm), **env}) as server:
            yield server
    finally:
        fake_llm.reset()


@pytest.fixture(scope="module")
def scoped_key(fuzz_server: LiveServer) -> str:
    """One user's agent: acts as alice, reads and writes memories.alice only."""
    created = httpx.post(f"{fuzz_server.url}/v1/keys", headers=bearer(ADMIN_KEY), json={
        "name": "fuzzed agent", "identity": "alice",
        "grants": [{"prefix": SCOPED_GRANT, "access": "write"}]})
    assert created.status_code == 201, created.text
    return created.json()["key"]
