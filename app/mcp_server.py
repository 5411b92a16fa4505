"""The memory tools over MCP: the official SDK's server, streamable HTTP, served at /mcp.

Claude Desktop, Cursor and other MCP clients connect to `http://HOST:PORT/mcp?user_id=alice`.
The URL's query string configures the connection as an HTTP tool call's body does:
`namespace` (a dotted template, default `memories.{user_id}`), `actions` (manage_memory's
permitted actions, comma-separated) and every other parameter a template value. The tools are
the HTTP API's (manage_memory, search_memory, extract_memories), run by the same ToolService,
with changes recorded in history as source `mcp`.

The server is stateless (each request stands alone), so any worker or replica can answer any
request. The session manager runs inside the app's lifespan (`McpEndpoint.run`).
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from app.auth.credentials import presented_credential
from app.auth.keys import KeyService
from app.config import Settings
from app.domain.history import Origin
from app.domain.principal import Principal
from app.errors import AppError
from app.tools.definitions import TOOL_NAMES
from app.tools.service import DEFAULT_NAMESPACE, ToolService

log = logging.getLogger(__name__)
MCP_PATH = "/mcp"
MCP_ORIGIN = Origin("mcp")
RESERVED_PARAMS = ("namespace", "actions")
CONFIG_HINT = ("add it to the MCP server URL's query string, e.g. "
               f"{MCP_PATH}?{{field}}=alice")
INSTRUCTIONS = (
    "Long-term memory that persists across conversations. Call search_memory before answering "
    "questions that may depend on what you learned about the user earlier; call manage_memory "
    "to save new preferences and facts, and to update or delete memories that turned out "
    "wrong; call extract_memories with a finished conversation to let the service extract "
    "memories from it in the background."
)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class McpEndpoint:
    """The ASGI endpoint at /mcp. `run()`, entered in the app's lifespan, starts a fresh session
    manager (one can run only once, and an app's lifespan may run again, as tests do)."""

    def __init__(self, tools: Callable[[], ToolService], keys: Callable[[], KeyService],
                 settings: Settings) -> None:
        self._tools = tools
        self._keys = keys
        self.server: Server[Any] = Server(
            "memory-service", version="0.1.0", instructions=INSTRUCTIONS,
            on_list_tools=self._list_tools, on_call_tool=self._call_tool)
        # Like the SDK's own default: check Host and Origin (DNS rebinding) when the server
        # listens on loopback; behind 0.0.0.0 a proxy or the deployment decides.
        self._security = None
        if settings.host in LOOPBACK_HOSTS:
            self._security = TransportSecuritySettings(
                enable_dns_rebinding_protection=True,
                allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1",
                               "localhost", "[::1]"],
                allowed_origins=["http://127.0.0.1:*", "http://localhost:*",
                                 "http://[::1]:*"])
        self._manager: StreamableHTTPSessionManager | None = None

    @contextlib.asynccontextmanager
    async def run(self) -> AsyncIterator[None]:
        """Run the session manager in its own task: its anyio task group must be entered and
        left by one task, and a lifespan's start and end may run in different tasks."""
        manager = StreamableHTTPSessionManager(app=self.server, stateless=True,
                                               security_settings=self._security)
        started, stopping = asyncio.Event(), asyncio.Event()

        async def serve() -> None:
            async with manager.run():
                self._manager = manager
                started.set()
                try:
                    await stopping.wait()
                finally:
                    self._manager = None

        task = asyncio.create_task(serve(), name="mcp-session-manager")
        waiter = asyncio.create_task(started.wait())
        try:
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # cancelled while starting
            task.cancel()
            waiter.cancel()
            raise
        if not started.is_set():
            waiter.cancel()
            await task  # it failed to start: raise why
        try:
            yield
        finally:
            stopping.set()
            await task

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._manager is None:
            response = JSONResponse({"detail": "the MCP server is not running"}, status_code=503)
            await response(scope, receive, send)
            return
        # The API key is checked per HTTP request, as on every other route; the handlers
        # find the caller on the request's state.
        try:
            principal = await self._keys().authenticate(presented_credential(scope))
        except AppError as exc:
            response = JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                    headers=exc.headers)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self._manager.handle_request(scope, receive, send)

    # -- handlers -------------------------------------------------------------------------

    async def _list_tools(self, ctx: ServerRequestContext[Any],
                          params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        _, _, actions = _connection_config(ctx.request)
        try:
            specs = self._tools().specs(TOOL_NAMES, actions)
        except AppError as exc:
            raise MCPError(types.INVALID_PARAMS, exc.detail) from exc
        return types.ListToolsResult(tools=[
            types.Tool(name=s.name, description=s.description, input_schema=s.parameters)
            for s in specs])

    async def _call_tool(self, ctx: ServerRequestContext[Any],
                         params: types.CallToolRequestParams) -> types.CallToolResult:
        if params.name not in TOOL_NAMES:  # a protocol error, as the MCP spec asks
            raise MCPError(types.INVALID_PARAMS, f"Unknown tool: {params.name!r}; the tools are "
                           f"{', '.join(TOOL_NAMES)}")
        namespace, config, actions = _connection_config(ctx.request)
        try:
            result = await self._tools().execute(
                params.name, params.arguments or {}, origin=MCP_ORIGIN,
                principal=_principal(ctx.request), namespace=namespace,
                config=config, actions=actions, config_hint=CONFIG_HINT)
        except AppError as exc:
            return types.CallToolResult(content=[types.TextContent(text=exc.detail)],
                                        is_error=True)
        except Exception:  # the SDK would send str(exc): a database's own error text
            log.exception("MCP tool call %s failed", params.name)
            return types.CallToolResult(content=[types.TextContent(
                text=f"{params.name} failed with an internal error; it is logged")],
                is_error=True)
        return types.CallToolResult(
            content=[types.TextContent(text=result.content)],
            structured_content={"namespace": list(result.namespace),
                                "result": result.artifact})


def _principal(request: Request | None) -> Principal:
    principal = getattr(request.state, "principal", None) if request is not None else None
    if principal is None:  # every request passes __call__, which sets it
        raise AppError("the MCP request carries no authenticated caller")
    return principal


def _connection_config(request: Request | None
                       ) -> tuple[tuple[str, ...], dict[str, str], list[str] | None]:
    """(namespace template, template values, permitted actions) from the MCP URL's query."""
    query = request.query_params if request is not None else {}
    namespace = tuple(query["namespace"].split(".")) if query.get("namespace") \
        else DEFAULT_NAMESPACE
    raw_actions = query.get("actions")
    actions = [a.strip() for a in raw_actions.split(",") if a.strip()] \
        if raw_actions is not None else None
    config = {k: v for k, v in query.items() if k not in RESERVED_PARAMS}
    return namespace, config, actions
