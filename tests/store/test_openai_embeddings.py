"""OpenAI embeddings go through the real `openai` client to a server on 127.0.0.1."""

import httpx

from app.config import Settings
from app.main import create_app
from tests.fakes.openai_server import fake_openai_server


async def test_openai_embedder_stores_and_searches(empty_database_url):
    with fake_openai_server(dims=1536) as fake:
        settings = Settings(database_url=empty_database_url,
                            embedding_model="openai:text-embedding-3-small",
                            openai_base_url=fake.url, openai_api_key="sk-test",
                            embedding_batch_size=2)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                items = [{"namespace": ["m", "a"], "content": text} for text in (
                    "the user has a dog named fido", "the user prefers dark mode",
                    "the user lives in lisbon")]
                created = await client.post("/v1/memories/batch", json={"items": items})
                assert created.status_code == 201
                found = await client.post("/v1/search", json={"query": "what is the dog named",
                                                              "limit": 1})
                assert found.json()["items"][0]["value"]["content"]["content"] == \
                    "the user has a dog named fido"
            assert app.state.runtime.embedder.dims == 1536

    bodies = [r["body"] for r in fake.requests]
    # three texts with batch size 2: two calls, then one for the query
    assert [len(b["input"]) for b in bodies] == [2, 1, 1]
    assert all(b["model"] == "text-embedding-3-small" for b in bodies)
    assert all(r["auth"] == "Bearer sk-test" for r in fake.requests)
