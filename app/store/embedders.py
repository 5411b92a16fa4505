"""Text embedders: fastembed (local ONNX on the CPU) or an OpenAI-compatible server."""

import asyncio
import contextlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from app.config import Settings
from app.observability.metrics import measure_embed
from app.observability.spans import embedding as traced_embedding

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

    @property
    def calls(self) -> int:
        """Model invocations, so tests and benchmarks can count them."""

    async def embed(self, texts: list[str]) -> list[list[float]]: ...

    async def aclose(self) -> None: ...


class FastEmbedEmbedder:
    def __init__(self, name: str, *, model_path: str | None, batch_size: int,
                 cache_dir: str | None = None, spin_wait: bool = True, nice: int = 0) -> None:
        from fastembed import TextEmbedding

        self.model = f"fastembed:{name}"
        self._batch_size = batch_size
        # The model runs in threads `nice` below the rest of the process and Postgres: under
        # load a request's own work (a search, a read) goes first and the embedding takes the
        # CPU left over. ONNX's own threads, started with the session, inherit it.
        self._threads = ThreadPoolExecutor(_THREADS, "embedder", _lower_priority, (nice,))

        def load() -> Any:
            model = TextEmbedding(name, specific_model_path=model_path, cache_dir=cache_dir)
            if not spin_wait:
                _stop_spinning(model)
            return model

        self._model = self._threads.submit(load).result()
        self.dims = len(self._threads.submit(self._embed_sync, ["dimension probe"]).result()[0])
        self.calls = 0

    @measure_embed
    @traced_embedding
    async def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        self.calls += 1
        # ONNX runtime releases the GIL: embedding in a thread keeps the event loop serving.
        return await asyncio.get_running_loop().run_in_executor(self._threads,
                                                                self._embed_sync, texts)

    def _embed_sync(self, texts: list[str]) -> list[list[float]]:
        return [v.tolist() for v in self._model.embed(texts, batch_size=self._batch_size)]

    async def aclose(self) -> None:
        """Nothing to release: the session and its idle threads go with the object (a
        wrapper's aclose reaches here, and the model may be shared beyond it)."""


_THREADS = 4  # callers at once (without the batcher); ONNX's own pool (a thread a core) serves all


def _lower_priority(nice: int) -> None:
    """Lower this thread's priority by `nice` (Linux: per thread; threads it starts inherit
    it). Lowering needs no privilege. Elsewhere a thread id is no process id: skipped."""
    if nice > 0 and sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                           os.getpriority(os.PRIO_PROCESS, 0) + nice)


def _stop_spinning(model: Any) -> None:
    """ONNX runtime's worker threads busy-wait for work between operators and calls: on
    cores the service shares with its event loop and Postgres, that burns about as much CPU
    as the embedding itself (bench/PROFILE.md). Reopen fastembed's session without it."""
    import onnxruntime as ort

    holder = getattr(model, "model", None)
    session = getattr(holder, "model", None)
    path = getattr(session, "_model_path", None)
    if holder is None or not isinstance(session, ort.InferenceSession) \
            or not isinstance(path, str):
        return  # another fastembed layout: keep its session as it is
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    for entry in ("session.intra_op.allow_spinning", "session.inter_op.allow_spinning"):
        options.add_session_config_entry(entry, "0")
    holder.model = ort.InferenceSession(path, sess_options=options,
                                        providers=session.get_providers())
    del session
    _return_freed_memory()


def _return_freed_memory() -> None:
    """The first session's ~80 MB stay in the process's heap unless glibc hands them back."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


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
    @traced_embedding
    async def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            self.calls += 1
            chunk = texts[start : start + self._batch_size]
            response = await self._client.embeddings.create(model=self._name, input=chunk)
            vectors.extend(d.embedding for d in sorted(response.data, key=lambda d: d.index))
        return vectors


async def create_embedder(settings: Settings) -> Embedder:
    """The configured model, behind the request batcher and the cache when they are on
    (EMBED_BATCH_WINDOW_MS, EMBED_CACHE_SIZE)."""
    from app.store.embed_batcher import EmbedBatcher
    from app.store.embed_cache import CachedEmbedder, EmbeddingCache

    embedder = await _create_model(settings)
    if settings.embed_batch_window_ms > 0:
        # A local model uses every core for one call: one at a time, the next batch
        # collects meanwhile. A remote one answers several calls at once.
        embedder = EmbedBatcher(embedder, window_seconds=settings.embed_batch_window_ms / 1000,
                                max_batch=settings.embedding_batch_size,
                                max_inflight=4 if settings.embedding_provider == "openai" else 1)
    if settings.embed_cache_size > 0:
        embedder = CachedEmbedder(embedder, EmbeddingCache(settings.embed_cache_size))
    return embedder


async def _create_model(settings: Settings) -> Embedder:
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
            spin_wait=settings.embedding_spin_wait, nice=settings.embedding_nice,
        )
    except Exception as exc:  # fastembed and onnxruntime raise their own types
        where = f"from {path}" if path else "by name (needs network access once)"
        raise EmbedderUnavailable(
            f"cannot load embedding model {settings.embedding_model} {where}: {exc}. Set "
            "EMBEDDING_MODEL_PATH to a local model folder, or EMBEDDING_CACHE_DIR to a cache "
            "that holds it.") from exc
