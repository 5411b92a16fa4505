"""An app with chosen limit settings, talked to in process."""

import contextlib
from collections.abc import AsyncIterator

import httpx

from app.main import create_app
from tests.llm_fixtures import llm_settings


@contextlib.asynccontextmanager
async def limited_client(settings, embedder, llm=None,
                         **overrides) -> AsyncIterator[httpx.AsyncClient]:
    """`llm`: the fake LLM server, for extraction; `overrides`: settings fields."""
    settings = (llm_settings(settings, llm, **overrides) if llm is not None
                else settings.model_copy(update=overrides))
    app = create_app(settings, embedder=embedder)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            client.app = app
            yield client
