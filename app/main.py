"""The FastAPI application factory."""

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from app.api import extract, health, history, jobs, memories, namespaces, search, store
from app.api.body_limit import BodySizeLimit
from app.config import Settings
from app.errors import install_error_handler
from app.extraction.llm import LLMClient
from app.runtime import open_runtime
from app.store.embedders import Embedder

DESCRIPTION = """Long-term memory for LLM agents over HTTP.

* **v1** (`/v1/...`): memories as LangMem values `{"kind", "content"}`, semantic search,
  namespaces.
* **LangGraph store API** (`/store/...`): what `langgraph_sdk`'s `client.store` speaks.
"""


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None,
               llm: LLMClient | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime(settings, embedder=embedder, llm=llm,
                                background=True) as runtime:
            app.state.runtime = runtime
            yield

    # FastAPIOffline serves the Swagger UI and ReDoc assets itself: /docs works offline.
    app = FastAPIOffline(title="memory-service", version="0.1.0", description=DESCRIPTION,
                         lifespan=lifespan)
    app.state.settings = settings
    install_error_handler(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    for module in (health, memories, search, namespaces, history, extract, jobs, store):
        app.include_router(module.router)
    return app
