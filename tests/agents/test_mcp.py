"""The MCP server at /mcp, through the official SDK's own client against a live server."""

import contextlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from mcp import Client, ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from tests.agents.helpers import extraction_insert, wait_for_job


@contextlib.asynccontextmanager
async def mcp_session(url: str) -> AsyncIterator[ClientSession]:
    async with streamable_http_client(url) as (read, write), \
            ClientSession(read, write) as session:
        await session.initialize()
        yield session


async def test_lists_the_http_tools(agent_server, api, user):
    async with mcp_session(f"{agent_server.url}/mcp?user_id={user}") as session:
        assert session.server_info.name == "memory-service"
        assert "search_memory" in session.instructions
        listed = (await session.list_tools()).tools
    http = api.get("/v1/tools", params={"format": "anthropic",
                                        "tools": "manage_memory,search_memory,extract_memories"})
    assert [(t.name, t.description, t.input_schema) for t in listed] == \
        [(t["name"], t["description"], t["input_schema"]) for t in http.json()["tools"]]


async def test_manage_and_search_memories(agent_server, api, user):
    async with mcp_session(f"{agent_server.url}/mcp?user_id={user}") as session:
        created = await session.call_tool("manage_memory", {"content": "User prefers dark mode"})
        assert not created.is_error
        key = created.structured_content["result"]["key"]
        assert created.content[0].text == f"created memory {key}"
        await session.call_tool("manage_memory", {"content": "User has a dog named Fido"})

        found = await session.call_tool("search_memory", {"query": "which pet?", "limit": 1})
        assert not found.is_error
        memories = json.loads(found.content[0].text)
        assert [m["value"]["content"]["content"] for m in memories] == \
            ["User has a dog named Fido"]
        assert found.structured_content["namespace"] == ["memories", user]

        deleted = await session.call_tool("manage_memory", {"action": "delete", "id": key})
        assert deleted.content[0].text == f"Deleted memory {key}"

    # the same memories through the HTTP API; history names the door
    listed = api.get("/v1/memories", params={"namespace": f"memories.{user}"}).json()["items"]
    assert [m["value"]["content"]["content"] for m in listed] == ["User has a dog named Fido"]
    history = api.get("/v1/history", params={"namespace": f"memories.{user}", "key": key})
    assert [c["source"] for c in history.json()["changes"]] == ["mcp", "mcp"]


async def test_tool_errors_come_back_as_error_results(agent_server, user):
    async with mcp_session(f"{agent_server.url}/mcp?user_id={user}&actions=create") as session:
        manage = next(t for t in (await session.list_tools()).tools if t.name == "manage_memory")
        assert manage.input_schema["properties"]["action"]["enum"] == ["create"]

        refused = await session.call_tool("manage_memory", {"action": "delete", "id": "k"})
        assert refused.is_error
        assert "action 'delete' is not permitted" in refused.content[0].text
        misfit = await session.call_tool("search_memory", {"query": 42})
        assert misfit.is_error and "42 is not of type 'string'" in misfit.content[0].text
        with pytest.raises(MCPError, match="Unknown tool: 'forget_everything'"):
            await session.call_tool("forget_everything", {})

    async with mcp_session(f"{agent_server.url}/mcp") as session:  # no user_id in the URL
        missing = await session.call_tool("search_memory", {"query": "anything"})
        assert missing.is_error
        assert "needs a value for 'user_id'" in missing.content[0].text
        assert "/mcp?user_id=alice" in missing.content[0].text


async def test_namespace_template_from_the_url(agent_server, api, user):
    url = f"{agent_server.url}/mcp?namespace=teams.{{team}}.{{user_id}}&team=red&user_id={user}"
    async with mcp_session(url) as session:
        created = await session.call_tool("manage_memory", {"content": "Red team ships Fridays"})
    assert created.structured_content["namespace"] == ["teams", "red", user]
    assert api.get("/v1/memories", params={"namespace": f"teams.red.{user}"}).json()["items"]


async def test_submits_a_conversation_for_background_extraction(agent_server, api, llm, user):
    llm.script(extraction_insert("User is training for a half marathon in March"))
    async with mcp_session(f"{agent_server.url}/mcp?user_id={user}") as session:
        queued = await session.call_tool("extract_memories", {"messages": [
            {"role": "user", "content": "I'm training for a half marathon in March."},
            {"role": "assistant", "content": "Great goal! Let's plan your weeks."}]})
        assert not queued.is_error, queued.content[0].text
        job = queued.structured_content["result"]
        assert queued.content[0].text.startswith(f"queued extraction job {job['job_id']}")
        assert wait_for_job(api, job["job_id"])["status"] == "succeeded"
        found = await session.call_tool("search_memory", {"query": "running plans"})
    assert [m["value"]["content"]["content"] for m in json.loads(found.content[0].text)] == \
        ["User is training for a half marathon in March"]
    request = llm.llm_requests[-1].body  # the service's own extraction call
    assert "half marathon in March" in json.dumps(request["messages"])


async def test_modern_protocol_client(agent_server, user):
    """mcp's high-level Client negotiates the newest protocol revision (stateless requests)."""
    async with Client(f"{agent_server.url}/mcp?user_id={user}") as client:
        assert client.protocol_version == "2026-07-28"
        assert {t.name for t in (await client.list_tools()).tools} == \
            {"manage_memory", "search_memory", "extract_memories"}
        created = await client.call_tool("manage_memory", {"content": "User speaks Portuguese"})
        found = await client.call_tool("search_memory", {"query": "languages"})
    assert created.content[0].text.startswith("created memory ")
    assert "User speaks Portuguese" in found.content[0].text


def test_rejects_foreign_hosts_on_loopback(agent_server):
    """DNS rebinding protection: a page on another origin cannot drive the local server."""
    hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}}
    headers = {"accept": "application/json, text/event-stream"}
    evil_host = httpx.post(f"{agent_server.url}/mcp", json=hello,
                           headers={**headers, "host": "evil.example"})
    assert evil_host.status_code == 421
    evil_origin = httpx.post(f"{agent_server.url}/mcp", json=hello,
                             headers={**headers, "origin": "http://evil.example"})
    assert evil_origin.status_code == 403
    ok = httpx.post(f"{agent_server.url}/mcp", json=hello, headers=headers)
    assert ok.status_code == 200
