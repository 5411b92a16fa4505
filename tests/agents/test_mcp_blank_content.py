"""MCP refuses a blank memory as the HTTP tools do (a 422 there, an error result here), and
stores nothing."""

from tests.agents.test_mcp import mcp_session


async def test_blank_content_is_an_error_result(agent_server, api, user):
    async with mcp_session(f"{agent_server.url}/mcp?user_id={user}") as session:
        refused = await session.call_tool("manage_memory", {"content": "  \n\t "})
    assert refused.is_error
    assert "whitespace" in refused.content[0].text
    listed = api.get("/v1/memories", params={"namespace": f"memories.{user}"}).json()
    assert listed["items"] == []
