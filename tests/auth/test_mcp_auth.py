"""MCP checks the API key per HTTP request, and tool calls keep to the key's grants."""

import contextlib
from collections.abc import AsyncIterator

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.auth.conftest import ADMIN_KEY, bearer
from tests.conftest import model_path
from tests.live_server import LiveServer


@pytest.fixture
def server(database_url):
    with LiveServer.start({"DATABASE_URL": database_url, "ADMIN_API_KEY": ADMIN_KEY,
                           "EMBEDDING_MODEL_PATH": model_path() or ""}) as live:
        yield live


def make_key(server: LiveServer, **body) -> str:
    made = httpx.post(f"{server.url}/v1/keys", headers=bearer(ADMIN_KEY), json=body)
    assert made.status_code == 201, made.text
    return made.json()["key"]


@contextlib.asynccontextmanager
async def session(url: str, key: str) -> AsyncIterator[ClientSession]:
    async with httpx2.AsyncClient(headers=bearer(key)) as http, \
            streamable_http_client(url, http_client=http) as (read, write), \
            ClientSession(read, write) as mcp:
        await mcp.initialize()
        yield mcp


async def test_mcp_needs_a_key_and_keeps_to_its_grants(server):
    refused = httpx.post(f"{server.url}/mcp", json={"jsonrpc": "2.0", "id": 1,
                                                    "method": "tools/list"})
    assert refused.status_code == 401
    alice = make_key(server, name="alice", identity="alice",
                     grants=[{"prefix": ["memories", "alice"], "access": "write"}])
    bob = make_key(server, name="bob", identity="bob",
                   grants=[{"prefix": ["memories", "bob"], "access": "write"}])
    async with session(f"{server.url}/mcp", alice) as mcp:
        made = await mcp.call_tool("manage_memory", {"content": "Alice flies to Lisbon"})
        assert not made.is_error and made.structured_content["namespace"] == \
            ["memories", "alice"]
    async with session(f"{server.url}/mcp?user_id=alice", bob) as mcp:
        posing = await mcp.call_tool("search_memory", {"query": "Lisbon"})
        assert posing.is_error and "acts as user_id 'bob'" in posing.content[0].text
    async with session(f"{server.url}/mcp?namespace=memories.alice", bob) as mcp:
        crossing = await mcp.call_tool("search_memory", {"query": "Lisbon"})
        assert crossing.is_error and "may not read" in crossing.content[0].text
        assert "Lisbon" not in crossing.content[0].text
    async with session(f"{server.url}/mcp", bob) as mcp:
        own = await mcp.call_tool("search_memory", {"query": "Lisbon"})
        assert not own.is_error and own.content[0].text == "[]"
