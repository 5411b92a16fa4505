"""An app whose webhooks may reach 127.0.0.1 and retry within milliseconds, and a local
receiver; helpers to register an endpoint and wait for what it receives."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from app.main import create_app
from tests.webhooks.receiver import Receiver

FAST = {"webhook_allow_private_urls": True, "webhook_retry_base_seconds": 0.05,
        "webhook_retry_max_seconds": 0.2, "webhook_poll_seconds": 0.05,
        "webhook_timeout_seconds": 5.0}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.release.set()
    r.stop()


@pytest.fixture
def hook_settings(settings):
    return settings.model_copy(update=FAST)


@contextlib.asynccontextmanager
async def open_hook_client(settings, embedder, **app_args) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings, embedder=embedder, **app_args)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


@pytest.fixture
async def hook_client(hook_settings, embedder) -> AsyncIterator[httpx.AsyncClient]:
    async with open_hook_client(hook_settings, embedder) as client:
        yield client


async def register(client: httpx.AsyncClient, receiver: Receiver, **fields) -> dict:
    response = await client.post("/v1/webhooks", json={"url": receiver.url, **fields})
    assert response.status_code == 201, response.text
    hook = response.json()
    receiver.secret = hook["secret"]
    return hook


async def received(receiver: Receiver, count: int, *types: str, timeout: float = 20):
    return await asyncio.to_thread(receiver.wait_for, count, *types, timeout=timeout)


async def deliveries(client: httpx.AsyncClient, hook_id: str, **params) -> list[dict]:
    response = await client.get(f"/v1/webhooks/{hook_id}/deliveries", params=params)
    assert response.status_code == 200, response.text
    return response.json()["deliveries"]


async def settled(client: httpx.AsyncClient, hook_id: str, count: int) -> list[dict]:
    """The log once `count` deliveries are recorded delivered (the receiver sees a delivery
    just before the worker records its answer)."""
    for _ in range(200):
        log = await deliveries(client, hook_id)
        if sum(d["status"] == "delivered" for d in log) >= count:
            return log
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} deliveries not recorded delivered: {log}")
