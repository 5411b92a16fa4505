"""Batches embedding requests that arrive together into one model call.

Concurrent requests (a put here, a search there) each want one text embedded; the model
embeds 32 texts for little more CPU than a few single ones, and parallel single calls only
fight over the same cores. So requests queue, wait at most `window` seconds for company,
and go to the model together, at most `max_inflight` calls at a time (one for a local model:
the next batch collects while the model works). Each waiter gets its own vectors or its own
error: a failed batch is retried request by request, so one bad text fails only its owner.
"""

import asyncio
from dataclasses import dataclass, field

from app.observability import tracing
from app.store.embedders import Embedder


@dataclass
class _Request:
    texts: list[str]
    future: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop()
                                   .create_future())
    caller: tracing.Captured = field(default_factory=tracing.capture)  # its trace, if on


class EmbedBatcher:
    def __init__(self, inner: Embedder, *, window_seconds: float, max_batch: int,
                 max_inflight: int = 1) -> None:
        self.inner = inner
        self.model, self.dims = inner.model, inner.dims
        self._window = window_seconds
        self._max_batch = max_batch
        self._slots = asyncio.Semaphore(max_inflight)
        self._pending: list[_Request] = []
        self._collector: asyncio.Task | None = None
        self._calls: set[asyncio.Task] = set()  # model calls under way (kept referenced)

    @property
    def calls(self) -> int:
        return self.inner.calls

    async def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        request = _Request(list(texts))
        self._pending.append(request)
        if self._collector is None or self._collector.done():
            self._collector = asyncio.create_task(self._collect(), name="embed-batcher")
        # A cancelled waiter cancels its future: the collector skips it, or drops its result.
        return await request.future

    async def _collect(self) -> None:
        while self._pending:
            await asyncio.sleep(self._window)
            await self._slots.acquire()
            batch = self._take()
            if not batch:
                self._slots.release()
                continue
            task = asyncio.create_task(self._call(batch))
            self._calls.add(task)
            task.add_done_callback(self._calls.discard)

    def _take(self) -> list[_Request]:
        """Live requests from the front of the queue, up to max_batch texts (at least one
        request, however large: the inner embedder splits it)."""
        batch: list[_Request] = []
        size = 0
        while self._pending:
            request = self._pending[0]
            if request.future.done():  # its waiter gave up
                self._pending.pop(0)
                continue
            if batch and size + len(request.texts) > self._max_batch:
                break
            batch.append(self._pending.pop(0))
            size += len(request.texts)
        return batch

    async def _call(self, batch: list[_Request]) -> None:
        try:
            await self._embed_into(batch)
        finally:
            self._slots.release()
            for request in batch:  # cancelled mid-call (shutdown): no waiter hangs
                if not request.future.done():
                    request.future.cancel()

    async def _embed_into(self, batch: list[_Request]) -> None:
        unique = list(dict.fromkeys(t for r in batch for t in r.texts))
        try:
            # the model call's span: under the first request's, linked to the others'
            with tracing.on_behalf_of(r.caller for r in batch):
                vectors = dict(zip(unique, await self.inner.embed(unique), strict=True))
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0], error=exc)
                return
            for request in batch:  # whose text failed? each request alone finds out
                await self._embed_into([request])
            return
        for request in batch:
            _settle(request, [vectors[t] for t in request.texts])

    async def aclose(self) -> None:
        tasks = [t for t in (self._collector, *self._calls) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for request in self._pending:
            request.future.cancel()
        self._pending.clear()
        await self.inner.aclose()


def _settle(request: _Request, vectors: list[list[float]] | None = None, *,
            error: BaseException | None = None) -> None:
    if request.future.done():
        return
    if error is not None:
        request.future.set_exception(error)
    else:
        request.future.set_result(vectors)
