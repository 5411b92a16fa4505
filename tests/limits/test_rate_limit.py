"""Per-key rate limits: 429 with Retry-After once a key's bucket is empty; other keys,
health probes and the docs are unaffected; off when RATE_LIMIT_PER_MINUTE is 0."""

import httpx
import pytest

from app.db.pool import open_pool
from app.limits.rate_limit import RateLimit
from tests.limits.helpers import limited_client
from tests.limits.test_token_bucket import age

NS = {"namespace": "memories.alice"}


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


async def test_a_key_over_its_burst_gets_429_with_retry_after(settings, embedder):
    async with limited_client(settings, embedder, rate_limit_per_minute=2) as client:
        answers = [await client.get("/v1/memories", params=NS, headers=bearer("key-one"))
                   for _ in range(3)]
        # (any answer but 429 passes the limit: an unknown key may be refused by auth)
        assert [a.status_code == 429 for a in answers] == [False, False, True]
        refused = answers[2]
        assert 1 <= int(refused.headers["retry-after"]) <= 30  # 2 a minute: one per 30 s
        assert "RATE_LIMIT_PER_MINUTE" in refused.json()["detail"]

        # another key (bearer or x-api-key) has its own bucket; probes are never limited
        assert (await client.get("/v1/memories", params=NS,
                                 headers=bearer("key-two"))).status_code != 429
        assert (await client.get("/v1/memories", params=NS,
                                 headers={"x-api-key": "key-three"})).status_code != 429
        for path in ("/livez", "/readyz", "/openapi.json", "/docs"):
            assert (await client.get(path, headers=bearer("key-one"))).status_code == 200


async def test_the_same_key_counts_alike_in_either_header(settings, embedder):
    async with limited_client(settings, embedder, rate_limit_per_minute=1) as client:
        assert (await client.get("/v1/memories", params=NS,
                                 headers=bearer("shared"))).status_code != 429
        assert (await client.get("/v1/memories", params=NS,
                                 headers={"x-api-key": "shared"})).status_code == 429


async def test_requests_without_a_key_are_limited_by_address(settings, embedder):
    async with limited_client(settings, embedder, rate_limit_per_minute=60,
                              rate_limit_burst=2) as client:
        statuses = [(await client.get("/v1/memories", params=NS)).status_code
                    for _ in range(3)]
        assert statuses == [200, 200, 429]


async def test_off_by_default(settings, embedder):
    assert settings.rate_limit_per_minute == 0
    async with limited_client(settings, embedder) as client:
        assert not any(m.cls is RateLimit for m in client.app.user_middleware)
        for _ in range(30):
            assert (await client.get("/v1/memories", params=NS)).status_code == 200


async def test_streamed_responses_pass_through(settings, embedder):
    async with limited_client(settings, embedder, rate_limit_per_minute=100) as client:
        for i in range(3):
            await client.post("/v1/memories", json={"namespace": ["memories", "alice"],
                                                    "content": f"fact {i}"})
        async with client.stream("GET", "/v1/export", params={"prefix": "memories"}) as r:
            lines = [line async for line in r.aiter_lines() if line]
        assert r.status_code == 200 and len(lines) == 3


@pytest.mark.parametrize("clock_step, allowed", [(0.0, False), (30.0, True)])
async def test_a_token_comes_back_after_the_wait(database_url, clock_step, allowed):
    async def ok(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    pool = await open_pool(database_url, min_size=1, max_size=2)
    app = RateLimit(ok, pool=lambda: pool, per_minute=2, burst=1)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as client:
            assert (await client.get("/x")).status_code == 200
            refused = await client.get("/x")
            assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
            await age(pool, clock_step)
            assert ((await client.get("/x")).status_code == 200) is allowed
    finally:
        await pool.close()
