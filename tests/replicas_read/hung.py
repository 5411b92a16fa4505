"""What the hung-replica tests share: their timeouts and settings, a bounded wait."""

import asyncio
import time
from collections.abc import Awaitable

import httpx

from app.config import Settings
from tests.conftest import model_path

TIMEOUT = 3.0  # READ_REPLICA_TIMEOUT_SECONDS here: a read that waited took at least this
READY_TIMEOUT = 1.0  # READY_CHECK_TIMEOUT_SECONDS here
# The primary's answer on a loaded 2-core machine (a search embeds its query, too).
MARGIN = 3.0
BOUND = 40.0  # a test fails rather than hangs when a request never answers


def hang_settings(urls: tuple[str, str]) -> Settings:
    return Settings(database_url=urls[0], database_read_url=urls[1],
                    embedding_model_path=model_path(), db_pool_min_size=2,
                    db_pool_max_size=10, read_replica_timeout_seconds=TIMEOUT,
                    ready_check_timeout_seconds=READY_TIMEOUT)


async def timed(request: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    async with asyncio.timeout(BOUND):
        response = await request
    return response, time.monotonic() - start
