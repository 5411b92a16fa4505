"""The TTL sweeper: deletes expired items (their vectors cascade) on a fixed interval."""

import asyncio
import logging

from app.store.memory_store import MemoryStore

log = logging.getLogger(__name__)


async def sweep_expired_forever(store: MemoryStore, interval_seconds: float) -> None:
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            removed = await store.sweep_ttl()
            if removed:
                log.info("ttl sweeper removed %d expired items", removed)
        except Exception:  # a failed sweep must not kill the loop; the next one retries
            log.exception("ttl sweep failed")
