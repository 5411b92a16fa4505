"""With the database away, a rate-limited request answers 503 with Retry-After like every
other (the limiter must not turn an outage into a 500), and is limited again once it is back.

The test's database goes away cheaply: it stops taking connections and its sessions are cut
(the session's Postgres keeps serving the other tests)."""

import contextlib

import psycopg

from tests.limits.helpers import limited_client

NS = {"namespace": "memories.alice"}
KEY = {"authorization": "Bearer some-key"}


@contextlib.contextmanager
def database_away(admin_url: str, name: str):
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s", (name,))
        try:
            yield
        finally:
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


async def test_the_limiter_answers_503_while_the_database_is_away(
        pg_admin_url, database_url, settings, embedder):
    name = psycopg.conninfo.conninfo_to_dict(database_url)["dbname"]
    async with limited_client(settings, embedder, rate_limit_per_minute=6, rate_limit_burst=1,
                              db_unavailable_timeout_seconds=1.0) as client:
        assert (await client.get("/v1/memories", params=NS)).status_code == 200
        with database_away(pg_admin_url, name):
            away = await client.get("/v1/memories", params=NS, headers=KEY)
            assert away.status_code == 503, away.text
            assert "database" in away.json()["detail"] and away.headers["retry-after"]
        # the keyless caller spent its one token before the outage
        for _ in range(50):
            back = await client.get("/v1/memories", params=NS)
            if back.status_code != 503:
                break
        assert back.status_code == 429, back.text
