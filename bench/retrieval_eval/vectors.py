"""Embeddings of the corpus with the service's model, cached on disk (embedding 100,000
texts takes a few minutes on 2 cores)."""

import hashlib
from pathlib import Path

import numpy as np

from app.store.embedders import FastEmbedEmbedder

CACHE = Path(__file__).resolve().parent / ".cache"
MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def model_path() -> str | None:
    import os

    configured = os.environ.get("EMBEDDING_MODEL_PATH")
    if configured:
        return configured
    shared = Path(__file__).resolve().parents[3] / "shared" / "models" / "all-MiniLM-L6-v2"
    return str(shared) if shared.exists() else None


def embedder() -> FastEmbedEmbedder:
    return FastEmbedEmbedder(MODEL, model_path=model_path(), batch_size=64)


async def embed_all(model: FastEmbedEmbedder, texts: list[str], log=print,
                    cache: Path = CACHE) -> np.ndarray:
    """One vector per distinct text, cached under `cache` by the texts' hash."""
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"vectors-{len(texts)}-{digest}.npy"
    if path.exists():
        return np.load(path)
    cache.mkdir(parents=True, exist_ok=True)
    out = np.zeros((len(texts), model.dims), dtype=np.float32)
    step = 4096
    for start in range(0, len(texts), step):
        out[start:start + step] = np.asarray(await model.embed(texts[start:start + step]))
        log(f"  embedded {min(start + step, len(texts)):,} / {len(texts):,}")
    np.save(path, out)
    return out


class CachedEmbedder:
    """The service's Embedder protocol over precomputed vectors (for loading); queries are
    embedded by the real model."""

    def __init__(self, model: FastEmbedEmbedder, texts: list[str], vectors: np.ndarray) -> None:
        self.model = model.model
        self.dims = model.dims
        self.calls = 0
        self._real = model
        self._index = {t: i for i, t in enumerate(texts)}
        self._vectors = vectors

    async def embed(self, texts: list[str]) -> list[list[float]]:
        if all(t in self._index for t in texts):
            return [self._vectors[self._index[t]].tolist() for t in texts]
        return await self._real.embed(texts)

    async def aclose(self) -> None:
        pass
