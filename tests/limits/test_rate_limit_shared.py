"""Rate limits kept in Postgres: two apps on one database (as two replicas) share a key's
bucket, so the key gets its burst once, not once per process."""

import contextlib

from tests.limits.helpers import limited_client

NS = {"namespace": "memories.alice"}
KEY = {"authorization": "Bearer shared-key"}


async def test_two_apps_on_one_database_share_a_keys_bucket(settings, embedder):
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(limited_client(
            settings, embedder, rate_limit_per_minute=6, rate_limit_burst=4))
            for _ in range(2)]
        statuses = [(await clients[i % 2].get("/v1/memories", params=NS, headers=KEY))
                    .status_code for i in range(8)]
    # one token per 10 s: the 4 of the burst, then refusals, whichever app answers
    assert [s == 429 for s in statuses] == [False] * 4 + [True] * 4
