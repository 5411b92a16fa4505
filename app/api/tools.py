"""v1 tools: memory tool definitions for a model, and running the calls it makes."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.api.deps import ToolServiceDep
from app.auth.dependencies import PrincipalDep
from app.domain.history import Origin
from app.tools.schemas import FormatName, ToolCallRequest, ToolCallResult, ToolDefinitions

router = APIRouter(prefix="/v1/tools", tags=["tools"])
TOOL_API = Origin("tool")


def _split(values: list[str] | None) -> list[str] | None:
    """Repeated (?actions=create&actions=update) or comma-separated (?actions=create,update)."""
    if values is None:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


UNKNOWN_TOOL: dict[int | str, dict[str, Any]] = {404: {"description": "No tool of that name"}}


@router.get("", response_model=ToolDefinitions, responses=UNKNOWN_TOOL,
            summary="Tool definitions (OpenAI or Anthropic format) for manage_memory and "
                    "search_memory")
async def tool_definitions(
    tools_service: ToolServiceDep,
    format: Annotated[FormatName, Query(description="openai: Chat Completions `tools`; "
                                        "anthropic: Messages `tools`")] = "openai",
    tools: Annotated[list[str] | None, Query(description="Which tools (default "
                                             "manage_memory, search_memory; extract_memories "
                                             "also exists)")] = None,
    actions: Annotated[list[str] | None, Query(description="manage_memory's permitted "
                                               "actions (default create, update, delete)",
                                               examples=["create,update"])] = None,
) -> ToolDefinitions:
    return ToolDefinitions(format=format, tools=tools_service.definitions(
        format, _split(tools), _split(actions)))


@router.post("/execute", response_model=ToolCallResult,
             responses={404: {"description": "No tool of that name, or no memory with the "
                              "id the call names"}},
             summary="Run a tool call the model made; answers with the tool message content")
async def execute_tool(body: ToolCallRequest, tools_service: ToolServiceDep,
                       principal: PrincipalDep) -> ToolCallResult:
    result = await tools_service.execute(body.name, body.arguments, origin=TOOL_API,
                                         principal=principal,
                                         namespace=body.namespace, config=body.config,
                                         actions=body.actions)
    return ToolCallResult.from_result(result, body.tool_call_id)
