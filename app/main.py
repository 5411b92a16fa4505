"""The FastAPI application factory."""

import contextlib
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline

from app.api import as_of as as_of_api
from app.api import data as data_api
from app.api import extract as extract_api
from app.api import health as health_api
from app.api import history as history_api
from app.api import job_conversation as job_conversation_api
from app.api import jobs as jobs_api
from app.api import keys as keys_api
from app.api import memories as memories_api
from app.api import metrics as metrics_api
from app.api import namespaces as namespaces_api
from app.api import profiles as profiles_api
from app.api import runs as runs_api
from app.api import search as search_api
from app.api import store as store_api
from app.api import tools as tools_api
from app.api import ui as ui_api
from app.api import webhooks as webhooks_api
from app.api import whoami as whoami_api
from app.api.body_limit import BodySizeLimit
from app.api.text_guard import STORABLE_TEXT
from app.auth.dependencies import AUTH_RESPONSES, authenticate
from app.config import Settings
from app.db.unavailable import install_database_unavailable
from app.errors import install_error_handler
from app.extraction.llm import LLMClient
from app.limits.idempotency import Idempotency
from app.limits.rate_limit import RateLimit
from app.mcp_server import MCP_PATH, McpEndpoint
from app.observability.middleware import RequestObservability
from app.runtime import open_runtime
from app.shutdown import CutRequests
from app.store.embedders import Embedder

DESCRIPTION = """Long-term memory for LLM agents over HTTP.

* **v1** (`/v1/...`): memories as LangMem values `{"kind", "content"}`, semantic search,
  namespaces.
* **LangGraph store API** (`/store/...`): what `langgraph_sdk`'s `client.store` speaks.
"""


# One line per router. Every one of these needs an API key once one is configured
# (app/auth); PUBLIC_ROUTERS never do. A request is matched against the routers in this
# order, each costing 30-150 us of Python when it does not match (FastAPI tries its every
# route), so the doors agents call on every turn come first: /store behind the others
# spent ~0.4 ms matching (bench/PROFILE.md). The explorer lists them in TAGS' order.
ROUTERS = [
    store_api.router,
    memories_api.router,
    search_api.router,
    tools_api.router,
    namespaces_api.router,
    history_api.router,
    as_of_api.router,
    extract_api.router,
    jobs_api.router,
    job_conversation_api.router,
    data_api.router,
    profiles_api.router,
    runs_api.router,
    keys_api.router,
    webhooks_api.router,
    whoami_api.router,
    runs_api.unsupported_router,  # last: the rest of LangGraph's API answers 404, explained
]
TAGS = [{"name": name} for name in (
    "memories", "search", "namespaces", "history", "extraction", "data", "tools",
    "extraction profiles", "store (LangGraph API)", "runs (LangGraph API)", "keys (admin)",
    "webhooks (admin)", "health")]
PUBLIC_ROUTERS = [
    health_api.router,
    metrics_api.router,  # scrapers hold no key; METRICS_ENABLED=false turns it off
    ui_api.router,  # the memory browser's static files; its API calls carry the key
]


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None,
               llm: LLMClient | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime(settings, embedder=embedder, llm=llm, background=True,
                                exposed_host=settings.host) as runtime:
            app.state.runtime = runtime
            async with mcp.run():  # the MCP session manager lives as long as the runtime
                yield

    # FastAPIOffline serves the Swagger UI and ReDoc assets itself: /docs works offline.
    app = FastAPIOffline(title="memory-service", version="0.1.0", description=DESCRIPTION,
                         openapi_tags=TAGS, lifespan=lifespan)
    app.state.settings = settings
    app.state.draining = False  # set on SIGTERM (app/shutdown.py): /readyz answers 503
    install_error_handler(app)
    # Middleware added last runs first: rate limit, then body size, then idempotency.
    app.add_middleware(Idempotency, pool=lambda: app.state.runtime.pool,
                       keys=lambda: app.state.runtime.keys, settings=settings)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes,
                       overrides={"/v1/import": settings.max_import_bytes})
    if settings.rate_limit_per_minute:
        app.add_middleware(RateLimit, pool=lambda: app.state.runtime.pool,
                           per_minute=settings.rate_limit_per_minute,
                           burst=settings.rate_limit_burst)
    # A database away or full answers 503 (routes and middleware alike); so does a request
    # cut at the SIGTERM deadline.
    install_database_unavailable(app)
    app.add_middleware(CutRequests, fastapi_app=app)
    # Outermost: every answer, the limits' own included, gets a request id, a metric, a log.
    app.add_middleware(RequestObservability, routes=lambda: app.routes)
    # MCP (streamable HTTP) at exactly /mcp: a route, not a mount, so no redirect to /mcp/;
    # before the routers, as an agent's door (an exact path is tried in ~2 us)
    mcp = McpEndpoint(lambda: app.state.runtime.tools, lambda: app.state.runtime.keys,
                      settings)
    # an ASGI app: starlette's Route serves a non-function endpoint as one
    app.router.add_route(MCP_PATH, mcp, include_in_schema=False)  # type: ignore[arg-type]
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(authenticate), STORABLE_TEXT],
                           responses=AUTH_RESPONSES)
    for router in PUBLIC_ROUTERS:
        app.include_router(router)
    return app
