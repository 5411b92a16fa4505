"""Bodies of the tools API."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.tools.definitions import ACTIONS, Action
from app.tools.service import DEFAULT_NAMESPACE, ToolResult

FormatName = Literal["openai", "anthropic"]


class ToolDefinitions(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "format": "anthropic",
        "tools": [{"name": "search_memory",
                   "description": "Search your long-term memories for information relevant to "
                                  "your current context.",
                   "input_schema": {"type": "object",
                                    "properties": {"query": {"type": "string"}},
                                    "required": ["query"]}}]}]})

    format: FormatName
    tools: list[dict[str, Any]] = Field(description="Pass as the `tools` of a chat request: "
                                        "OpenAI Chat Completions or Anthropic Messages")


class ToolCallRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "manage_memory", "arguments": "{\"content\": \"User prefers dark mode\"}",
         "namespace": ["memories", "{user_id}"], "config": {"user_id": "alice"},
         "tool_call_id": "call_abc123"},
        {"name": "search_memory", "arguments": {"query": "display preferences", "limit": 5},
         "config": {"configurable": {"user_id": "alice"}}},
    ]})

    name: str = Field(description="The tool the model called", examples=["manage_memory"])
    arguments: dict[str, Any] | str | None = Field(
        None, description="The model's arguments: an object (Anthropic's `input`) or JSON text "
        "(OpenAI's `function.arguments`)")
    namespace: list[str] = Field(list(DEFAULT_NAMESPACE), description="Namespace template; "
                                 "{placeholders} are filled from config",
                                 examples=[["memories", "{user_id}"]])
    config: dict[str, Any] = Field(default_factory=dict, description="Template values, flat "
                                   "or as LangGraph's {\"configurable\": {...}}",
                                   examples=[{"user_id": "alice"}])
    actions: list[Action] = Field(list(ACTIONS), min_length=1, description="The manage_memory "
                                  "actions this agent may take")
    tool_call_id: str | None = Field(None, description="Echoed back, for the tool message")


class ToolCallResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "manage_memory", "tool_call_id": "call_abc123",
        "content": "created memory 6b1c29be-8f1e-4a43-b07c-2f0c6d9f4c2a",
        "namespace": ["memories", "alice"],
        "artifact": {"action": "created", "namespace": ["memories", "alice"],
                     "key": "6b1c29be-8f1e-4a43-b07c-2f0c6d9f4c2a",
                     "value": {"kind": "Memory", "content": {"content": "User prefers dark mode"}}},
    }]})

    name: str
    tool_call_id: str | None = None
    content: str = Field(description="The tool's answer for the model, worded as LangMem's "
                         "tools word it: send it back as the tool message")
    namespace: list[str] = Field(description="The namespace the call acted on")
    artifact: Any = Field(description="The same answer, structured: the memory written, the "
                          "memories found, or the queued job")

    @classmethod
    def from_result(cls, result: ToolResult, tool_call_id: str | None) -> "ToolCallResult":
        return cls(name=result.name, tool_call_id=tool_call_id, content=result.content,
                   namespace=list(result.namespace), artifact=result.artifact)
