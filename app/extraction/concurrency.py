"""At most EXTRACTION_MAX_CONCURRENCY LLM calls at once in this process, whichever door
started them (sync /v1/extract, background jobs, runs, the extract tool): a burst queues
instead of running up the LLM bill."""

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator

from app.errors import ServiceUnavailable


class ExtractionBusy(ServiceUnavailable):
    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class ExtractionSlots:
    def __init__(self, size: int, wait_seconds: float) -> None:
        self.size = size
        self.wait_seconds = wait_seconds
        self._semaphore = asyncio.Semaphore(size)

    @contextlib.asynccontextmanager
    async def hold(self, *, patient: bool) -> AsyncIterator[None]:
        """A slot for one LLM call. `patient` (background jobs) waits as long as it takes;
        otherwise (a client waiting on the answer) at most EXTRACTION_WAIT_SECONDS, then 503."""
        if patient:
            await self._semaphore.acquire()
        elif not await self._acquire_within(self.wait_seconds):
            raise ExtractionBusy(
                f"{self.size} extractions are already running (EXTRACTION_MAX_CONCURRENCY) and "
                f"none finished within {self.wait_seconds:g} s (EXTRACTION_WAIT_SECONDS); "
                "retry later, or queue it with POST /v1/jobs/extract",
                retry_after=max(1, math.ceil(self.wait_seconds)))
        try:
            yield
        finally:
            self._semaphore.release()

    async def _acquire_within(self, seconds: float) -> bool:
        if seconds <= 0:
            if self._semaphore.locked():
                return False
            await self._semaphore.acquire()  # free: returns at once
            return True
        try:  # not wait_for: on 3.11 it loses a cancel that meets the acquire
            async with asyncio.timeout(seconds):
                await self._semaphore.acquire()
        except TimeoutError:
            return False
        return True
