"""Text embedders: fastembed (local ONNX on the CPU) or an OpenAI-compatible server."""

import asyncio
from typing import Protocol

from app.config import Settings
from app.observability.metrics import measure_embed

# Dimensions of well-known OpenAI models; anything else is measured with one probe call.
_OPENAI_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


class EmbedderUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded or reached."""


class Embedder(Protocol):
    model: str
    dims: int
    calls: int  # embedder invocations, so tests and benchmarks can count them

    async def embed(self, texts: list[str]) -> list[list[float]]: ...

    async def aclose(self) -> None: ...


class FastEmbedEmbedder:
    def __init__(self, name: str, *, model_path: str | None, batch_size: int,
                 cache_dir: str | None = None) -> None:
        from fastembed import TextEmbedding

        self.model = f"fastembed:{name}"
        self._batch_size = batch_size
        self._model = TextEmbedding(name, specific_model_path=model_path, cache_dir=cache_dir)
        self.dims = len(next(iter(self._model.embed(["dimension probe"]))))
        self.calls = 0

    @measure_embed
    async def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        self.calls += 1
        # ONNX runtime releases the GIL: embedding in a thread keeps the event loop serving.
        return await asyncio.to_thread(self._embed_sync, texts)

    def _embed_sync(self, texts: list[str]) -> list[list[float]]:
        return [v.tolist() for v in self._model.embed(texts, batch_size=self._batch_size)]

    async def aclose(self) -> None:
        """Nothing to release: the ONNX session goes with the object."""


class OpenAIEmbedder:
    def __init__(self, name: str, *, api_key: str | None, base_url: str | None,
                 batch_size: int) -> None:
        from openai import AsyncOpenAI

        self.model = f"openai:{name}"
        self._name = name
        self._batch_size = batch_size
        self._client = AsyncOpenAI(api_key=api_key or "unset", base_url=base_url,
                                   timeout=30.0, max_retries=3)
        self.dims = _OPENAI_DIMS.get(name, 0)
        self.calls = 0

    async def aclose(self) -> None:
        await self._client.close()

    async def ensure_dims(self) -> None:
        if not self.dims:
            self.dims = len((await self.embed(["dimension probe"]))[0])

    @measure_embed
    async def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            self.calls += 1
            chunk = texts[start : start + self._batch_size]
            response = await self._client.embeddings.create(model=self._name, input=chunk)
            vectors.extend(d.embedding for d in sorted(response.data, key=lambda d: d.index))
        return vectors


async def create_embedder(settings: Settings) -> Embedder:
    if settings.embedding_provider == "openai":
        embedder = OpenAIEmbedder(
            settings.embedding_model_name,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            batch_size=settings.embedding_batch_size,
        )
        await embedder.ensure_dims()
        return embedder
    path = str(settings.embedding_model_path) if settings.embedding_model_path else None
    cache = str(settings.embedding_cache_dir) if settings.embedding_cache_dir else None
    try:
        return await asyncio.to_thread(
            FastEmbedEmbedder, settings.embedding_model_name, model_path=path,
            batch_size=settings.embedding_batch_size, cache_dir=cache,
        )
    except (ValueError, OSError) as exc:
        where = f"from {path}" if path else "by name (needs network access once)"
        raise EmbedderUnavailable(
            f"cannot load embedding model {settings.embedding_model} {where}: {exc}. Set "
            "EMBEDDING_MODEL_PATH to a local model folder, or EMBEDDING_CACHE_DIR to a cache "
            "that holds it.") from exc
