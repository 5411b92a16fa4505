"""The Idempotency middleware around a counting app, on the real database: scoping by
credential, 409 while in flight, failures released, stale and expired records replaced."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import httpx

from app.auth.schemas import KeyCreate
from app.limits.idempotency import HEADER, Idempotency
from app.repositories import idempotency as records

PATH = "/v1/memories"


class Counting:
    """An ASGI app answering 201 {"run": n}, or the statuses scripted in `fail_with`."""

    def __init__(self) -> None:
        self.runs = 0
        self.fail_with: list[int | Exception] = []
        self.entered = asyncio.Event()
        self.release: asyncio.Event | None = None

    async def __call__(self, scope, receive, send) -> None:
        await receive()
        self.runs += 1
        self.entered.set()
        if self.release is not None:
            await self.release.wait()
        outcome = self.fail_with.pop(0) if self.fail_with else 201
        if isinstance(outcome, Exception):
            raise outcome
        body = json.dumps({"run": self.runs}).encode()
        await send({"type": "http.response.start", "status": outcome,
                    "headers": [(b"content-type", b"application/json"),
                                (b"location", f"/things/{self.runs}".encode())]})
        await send({"type": "http.response.body", "body": body})


@contextlib.asynccontextmanager
async def wrapped(app, inner: Counting) -> AsyncIterator[httpx.AsyncClient]:
    runtime = app.state.runtime
    middleware = Idempotency(inner, pool=lambda: runtime.pool, keys=lambda: runtime.keys,
                             settings=runtime.settings)
    transport = httpx.ASGITransport(app=middleware, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


def post(client, key="k1", body=None, **headers):
    return client.post(PATH, json=body or {"a": 1}, headers={HEADER: key, **headers})


async def test_replay_keeps_status_headers_and_body(app):
    inner = Counting()
    async with wrapped(app, inner) as client:
        first, second = await post(client), await post(client)
    assert inner.runs == 1
    assert (second.status_code, second.content) == (201, first.content)
    assert second.headers["location"] == "/things/1"
    assert second.headers["idempotent-replayed"] == "true"


async def test_keys_are_scoped_by_credential_and_route(app):
    inner = Counting()
    async with wrapped(app, inner) as client:
        await post(client)  # no credential, while no key exists: its own scope
        await client.post("/v1/extract", json={"a": 1}, headers={HEADER: "k1"})
        one, two = [(await app.state.runtime.keys.create(KeyCreate(name=n)))[1]
                    for n in ("one", "two")]
        await post(client, authorization=f"Bearer {one}")
        await post(client, authorization=f"Bearer {one}")  # replay
        await post(client, **{"x-api-key": two})
        await client.post("/v1/search", json={"a": 1}, headers={HEADER: "k1"})  # not covered
        await client.post("/v1/search", json={"a": 1}, headers={HEADER: "k1"})
    assert inner.runs == 6


async def test_a_retry_while_the_first_is_in_flight_gets_409(app):
    inner = Counting()
    inner.release = asyncio.Event()
    async with wrapped(app, inner) as client:
        first = asyncio.create_task(post(client))
        await inner.entered.wait()
        busy = await post(client)
        assert busy.status_code == 409
        assert busy.headers["retry-after"] == "1"
        assert "still in progress" in busy.json()["detail"]
        inner.release.set()
        assert (await first).status_code == 201
        assert (await post(client)).headers["idempotent-replayed"] == "true"
    assert inner.runs == 1


async def test_failures_release_the_key(app):
    inner = Counting()
    inner.fail_with = [500, RuntimeError("boom"), 429, 201]
    async with wrapped(app, inner) as client:
        statuses = [(await post(client)).status_code for _ in range(5)]
    assert statuses == [500, 500, 429, 201, 201]
    assert inner.runs == 4  # the last one is the replay


async def test_a_stale_in_flight_record_is_taken_over_and_an_expired_one_replaced(app):
    inner = Counting()
    pool = app.state.runtime.pool
    async with wrapped(app, inner) as client:
        await post(client, key="stale")
        async with pool.connection() as conn:
            # as if the server had died mid-request: in flight, its lock run out
            await conn.execute("UPDATE idempotency_keys SET status = NULL, "
                               "locked_until = now() - interval '1 second' WHERE key = 'stale'")
        taken_over = await post(client, key="stale")
        assert "idempotent-replayed" not in taken_over.headers
        assert inner.runs == 2
        async with pool.connection() as conn:
            await conn.execute("UPDATE idempotency_keys "
                               "SET expires_at = now() - interval '1 second'")
        assert (await post(client, key="stale", body={"other": True})).status_code == 201
        assert inner.runs == 3


async def test_another_body_with_a_stale_in_flight_key_is_still_422(app):
    inner = Counting()
    async with wrapped(app, inner) as client:
        await post(client)
        async with app.state.runtime.pool.connection() as conn:
            await conn.execute("UPDATE idempotency_keys SET status = NULL, "
                               "locked_until = now() - interval '1 second'")
        assert (await post(client, body={"b": 2})).status_code == 422
    assert inner.runs == 1


async def test_expired_records_are_deleted(app):
    inner = Counting()
    async with wrapped(app, inner) as client:
        await post(client, key="old")
        await post(client, key="new")
    async with app.state.runtime.pool.connection() as conn:
        await conn.execute("UPDATE idempotency_keys SET expires_at = now() - interval '1 s' "
                           "WHERE key = 'old'")
        assert await records.delete_expired(conn, 100) == 1
        cur = await conn.execute("SELECT key FROM idempotency_keys")
        assert [r["key"] for r in await cur.fetchall()] == ["new"]
