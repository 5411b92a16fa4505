"""The fake LLM server's part for the README: one responder for every model the README's
examples reach, told apart by the tools a request offers."""

import json
from typing import Any

from tests.fakes.llm_server import NoToolCall, ToolCall, user_text
from tests.fakes.schema_literal import schema_literal


def tool_names(body: dict[str, Any]) -> list[str]:
    return [tool.get("function", tool).get("name", "") for tool in body.get("tools") or []]


def readme_model(body: dict[str, Any]) -> Any:
    names = tool_names(body)
    if not names:  # the background quickstart's chat model
        return NoToolCall("That's nice! What kind of dog is Fido?")
    if names == ["Memory"]:  # the background quickstart's memory manager
        return ToolCall("Memory", {"content": "User likes dogs and has a dog named Fido"})
    if "manage_memory" in names:  # an agent with the memory tools (quickstart, agent loop)
        return agent(body)
    return schema_literal(body)  # the service's extraction call


def agent(body: dict[str, Any]) -> Any:
    """Saves what it is told to remember, searches otherwise, then answers in text."""
    last = body["messages"][-1]
    shown = last.get("role") == "tool" or (isinstance(last.get("content"), list) and any(
        part.get("type") == "tool_result" for part in last["content"]))
    if shown:
        return NoToolCall("Noted. " + json.dumps(last.get("content"))[:200])
    if "Remember that" in user_text(body):
        return ToolCall("manage_memory", {"content": "User prefers dark mode"})
    return ToolCall("search_memory", {"query": "display mode preference"})
