"""The command line's embedder: loaded up front by the commands that embed, failing fast
offline; loaded on the first text embedded (in practice never) by the others.

Most commands (keys, stats, export, forget, migrate...) never embed: they must neither wait
for nor fail on the model. A model fastembed lists has known dimensions, which is all the
store and the model check need.
"""

import asyncio
import os
import socket
from urllib.parse import urlsplit

from app.config import Settings
from app.store.embedders import Embedder, EmbedderUnavailable, create_embedder

PROBE_TIMEOUT_SECONDS = 1.0


class LazyFastEmbedder:
    def __init__(self, settings: Settings, dims: int) -> None:
        self.model = settings.embedding_model
        self.dims = dims
        self._settings = settings
        self.calls = 0
        self._loaded: Embedder | None = None
        self._lock = asyncio.Lock()

    async def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        self.calls += 1
        return await (await self._load()).embed(texts)

    async def _load(self) -> Embedder:
        async with self._lock:
            if self._loaded is None:
                self._loaded = await load_embedder(self._settings)
        return self._loaded

    async def aclose(self) -> None:
        if self._loaded is not None:
            await self._loaded.aclose()


async def open_embedder(settings: Settings, *, embeds: bool) -> Embedder:
    """Loaded now for a command that `embeds`; otherwise lazy when the model's dimensions
    are known without loading it."""
    if not embeds and settings.embedding_provider == "fastembed":
        dims = await asyncio.to_thread(_listed_dims, settings.embedding_model_name)
        if dims is not None:
            return LazyFastEmbedder(settings, dims)
    return await load_embedder(settings)  # a remote model, or one to measure


async def load_embedder(settings: Settings) -> Embedder:
    """create_embedder, except that offline a model by name is looked for in the cache
    only: fastembed would retry its download for about 40 s."""
    offline = (settings.embedding_provider == "fastembed"
               and settings.embedding_model_path is None and not _hub_reachable())
    if offline:
        os.environ["HF_HUB_OFFLINE"] = "1"  # fastembed's switch to the cache alone
        from loguru import logger  # fastembed's logger: we explain the failure ourselves

        logger.disable("fastembed")
    try:
        return await create_embedder(settings)
    except EmbedderUnavailable as exc:
        if offline:
            raise EmbedderUnavailable(f"offline (cannot reach the model hub): {exc}") from None
        raise


def _listed_dims(name: str) -> int | None:
    from fastembed import TextEmbedding

    return next((m["dim"] for m in TextEmbedding.list_supported_models()
                 if m["model"].lower() == name.lower()), None)


def _hub_reachable() -> bool:
    """Can fastembed's download source be reached at all? (a proxy we cannot probe: yes)"""
    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    if os.environ.get("HF_HUB_OFFLINE", "").upper() in ("1", "TRUE", "YES", "ON"):
        return False
    url = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname or "", port), PROBE_TIMEOUT_SECONDS).close()
    except OSError:
        return False
    return True
