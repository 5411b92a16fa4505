"""A changed embedding model is refused at start; reindex re-embeds resumably and swaps."""

import pytest

from app.domain.history import Origin
from app.lifecycle.embedding_model import EmbeddingModelMismatch
from app.runtime import open_runtime
from app.store.embedders import OpenAIEmbedder
from tests.fakes.openai_server import fake_openai_server

NS = ("memories", "alice")
FACTS = [f"fact {i} about topic{i % 7} and thing{i}" for i in range(120)]


class CountingEmbedder:
    """Delegates to a real embedder; counts texts and can fail after some calls."""

    def __init__(self, inner, fail_after_calls: int | None = None) -> None:
        self.inner, self.fail_after_calls = inner, fail_after_calls
        self.model, self.dims, self.calls, self.texts = inner.model, inner.dims, 0, 0

    async def embed(self, texts):
        if self.fail_after_calls is not None and self.calls >= self.fail_after_calls:
            raise RuntimeError("embedder went away")
        self.calls += 1
        self.texts += len(texts)
        return await self.inner.embed(texts)

    async def aclose(self) -> None:
        pass


async def seed(settings, embedder) -> None:
    async with open_runtime(settings, embedder=embedder) as runtime:
        await runtime.memories.create_many([(NS, f"k{i}", {"content": t}, None, None)
                                            for i, t in enumerate(FACTS)],
                                           origin=Origin("test"))


async def top_key(settings, embedder, query: str) -> str:
    async with open_runtime(settings, embedder=embedder) as runtime:
        found = await runtime.memories.search(NS, query=query, limit=1)
        return found[0].key


async def test_model_change_is_refused_then_reindex_resumes_and_swaps(settings, embedder):
    with fake_openai_server(dims=1536) as fake:
        await seed(settings, embedder)
        openai_settings = settings.model_copy(update={
            "embedding_model": "openai:text-embedding-3-small", "openai_base_url": fake.url,
            "openai_api_key": "sk-test", "embedding_batch_size": 10})  # reindex batches of 40
        openai = OpenAIEmbedder("text-embedding-3-small", api_key="sk-test",
                                base_url=fake.url, batch_size=10)

        with pytest.raises(EmbeddingModelMismatch) as refused:
            async with open_runtime(openai_settings, embedder=openai):
                pass
        message = str(refused.value)
        assert "fastembed:sentence-transformers/all-MiniLM-L6-v2 (384 dims)" in message
        assert "openai:text-embedding-3-small (1536 dims)" in message
        assert "memory-service reindex" in message

        interrupted = CountingEmbedder(openai, fail_after_calls=2)
        async with open_runtime(openai_settings, embedder=interrupted,
                                check_model=False) as runtime:
            with pytest.raises(RuntimeError, match="went away"):
                await runtime.reindex.reindex()
        assert interrupted.texts == 80  # two batches of 40 were saved before the failure

        # searches still work on the old model while a reindex is unfinished
        assert await top_key(settings, embedder, FACTS[5]) == "k5"

        resumed = CountingEmbedder(openai)
        async with open_runtime(openai_settings, embedder=resumed,
                                check_model=False) as runtime:
            result = await runtime.reindex.reindex()
        assert resumed.texts == len(FACTS) - 80  # picked up where it stopped
        assert result == {"model": "openai:text-embedding-3-small", "dims": 1536,
                          "vectors": len(FACTS)}

        assert await top_key(openai_settings, openai, FACTS[17]) == "k17"
        with pytest.raises(EmbeddingModelMismatch):
            async with open_runtime(settings, embedder=embedder):
                pass

        async with open_runtime(settings, embedder=embedder, check_model=False) as runtime:
            await runtime.reindex.reindex()
        assert await top_key(settings, embedder, FACTS[42]) == "k42"
        await openai.aclose()
