"""A bounded LRU cache of embeddings, keyed by model and text.

Agents ask the same questions again and again; a cached query skips the model. Vectors are
kept as float32 arrays (what pgvector stores, and what a local model returns), a quarter
of a list of Python floats: 4096 entries of 384 dimensions take about 7 MB.
"""

from array import array
from collections import OrderedDict

from app.store.embedders import Embedder


class EmbeddingCache:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], array] = OrderedDict()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, model: str, text: str) -> list[float] | None:
        found = self._entries.get((model, text))
        if found is None:
            self.misses += 1
            return None
        self._entries.move_to_end((model, text))
        self.hits += 1
        return found.tolist()

    def put(self, model: str, text: str, vector: list[float]) -> None:
        self._entries[(model, text)] = array("f", vector)
        self._entries.move_to_end((model, text))
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


def _float32(vector: list[float]) -> list[float]:
    return array("f", vector).tolist()


# More texts than a request embeds in one call: a bulk load (an import's or a reindex's batch
# of 500). Its texts are seen once; storing them would evict the queries agents repeat, and
# cost ~0.9 s of CPU per 10,000 (bench/PORTABILITY.md).
BULK_TEXTS = 64


class CachedEmbedder:
    """Answers texts it has embedded before from the cache, the rest from `inner`; a bulk
    call goes to `inner` and leaves the cache as it was."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache) -> None:
        self.inner, self.cache = inner, cache
        self.model, self.dims = inner.model, inner.dims

    @property
    def calls(self) -> int:
        return self.inner.calls

    async def embed(self, texts: list[str]) -> list[list[float]]:
        if len(texts) > BULK_TEXTS:
            return [_float32(v) for v in await self.inner.embed(texts)]  # as the cache would
        found = [self.cache.get(self.model, t) for t in texts]
        missing = list(dict.fromkeys(t for t, v in zip(texts, found, strict=True) if v is None))
        if missing:
            fresh = {}
            for text, vector in zip(missing, await self.inner.embed(missing), strict=True):
                self.cache.put(self.model, text, vector)
                fresh[text] = _float32(vector)  # as a hit would answer: the same every time
            found = [fresh[t] if v is None else v for t, v in zip(texts, found, strict=True)]
        return found  # type: ignore[return-value]  # every None was filled

    async def aclose(self) -> None:
        await self.inner.aclose()
