"""An embedder that records its calls and can hold or fail them: the inner model the
batcher and the cache wrap, so tests control timing and errors exactly."""

import asyncio


class RecordingEmbedder:
    def __init__(self, model: str = "test:model", fail_on: str | None = None) -> None:
        self.model, self.dims, self.calls = model, 3, 0
        self.batches: list[list[str]] = []
        self.running = self.max_running = 0
        self.gate = asyncio.Event()  # calls wait for it; set by default
        self.gate.set()
        self.fail_on = fail_on
        self.closed = False

    @staticmethod
    def vector(text: str) -> list[float]:
        return [float(len(text)), float(sum(map(ord, text)) % 97), 0.5]

    async def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        self.batches.append(list(texts))
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        try:
            await self.gate.wait()
            if self.fail_on is not None and self.fail_on in texts:
                raise ValueError(f"cannot embed {self.fail_on!r}")
            return [self.vector(t) for t in texts]
        finally:
            self.running -= 1

    async def aclose(self) -> None:
        self.closed = True
