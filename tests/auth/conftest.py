"""An app that needs API keys (ADMIN_API_KEY set), pointed at the fake LLM server."""

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from tests.llm_fixtures import llm_settings, open_client

ADMIN_KEY = "admin-key-for-tests-0123456789"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def create_key(client: httpx.AsyncClient, name: str, *, identity: str | None = None,
                     write: list[list[str]] = (), read: list[list[str]] = (),
                     admin: bool = False) -> str:
    grants = [{"prefix": p, "access": "write"} for p in write] + \
        [{"prefix": p, "access": "read"} for p in read]
    response = await client.post("/v1/keys", headers=bearer(ADMIN_KEY), json={
        "name": name, "identity": identity, "grants": grants, "admin": admin})
    assert response.status_code == 201, response.text
    return response.json()["key"]


@pytest.fixture
async def keyed(settings, embedder, llm) -> AsyncIterator[httpx.AsyncClient]:
    app, ctx, client = await open_client(
        llm_settings(settings, llm, admin_api_key=SecretStr(ADMIN_KEY)), embedder)
    client.app = app
    try:
        yield client
    finally:
        await client.aclose()
        await ctx.__aexit__(None, None, None)
