"""While the database is away, requests answer 503 with Retry-After within
DB_UNAVAILABLE_TIMEOUT_SECONDS (not a 500 after 30 s), /readyz answers at once and says so,
and the service works again within a couple of seconds of the database's return."""

import time

import httpx
import pytest

from app.main import create_app
from tests.conftest import model_path
from tests.outage.conftest import StoppablePostgres

TIMEOUT = 1.0  # DB_UNAVAILABLE_TIMEOUT_SECONDS here
# What a loaded 2-core CI adds to an answer's time (one took 1.4 s more): the waits these
# bounds guard against are psycopg's 30 s.
SLACK = 3.0
NS = "memories.alice"
MEMORY = {"namespace": ["memories", "alice"], "content": "User prefers dark mode"}


@pytest.fixture
async def outage_client(outage_database_url, settings, embedder):
    app = create_app(settings.model_copy(update={
        "database_url": outage_database_url, "db_unavailable_timeout_seconds": TIMEOUT,
        "embedding_model_path": model_path()}), embedder=embedder)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t",
                                     timeout=30) as client:
            yield client


async def timed(call) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


def assert_unavailable(response: httpx.Response, seconds: float) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) >= 1
    assert "database" in response.json()["detail"]
    assert seconds < TIMEOUT + SLACK, seconds


async def test_requests_answer_503_while_the_database_is_away_and_recover_quickly(
        own_postgres: StoppablePostgres, outage_client):
    assert (await outage_client.post("/v1/memories", json=MEMORY)).status_code == 201
    own_postgres.stop()
    try:
        read, seconds = await timed(outage_client.get("/v1/memories", params={"namespace": NS}))
        assert_unavailable(read, seconds)
        write, seconds = await timed(outage_client.post("/v1/memories", json=MEMORY))
        assert_unavailable(write, seconds)
        # the idempotency middleware reads the database before any route runs
        replayable, seconds = await timed(outage_client.post(
            "/v1/memories", json=MEMORY, headers={"Idempotency-Key": "k1"}))
        assert_unavailable(replayable, seconds)
        ready, seconds = await timed(outage_client.get("/readyz"))
        ready_timeout = 1.5  # READY_CHECK_TIMEOUT_SECONDS's default
        assert ready.status_code == 503 and seconds < ready_timeout + SLACK, (ready.text, seconds)
        assert ready.json()["detail"].startswith("database unreachable")
        assert (await outage_client.get("/livez")).status_code == 200
    finally:
        own_postgres.start()
    back = time.monotonic()
    while (await outage_client.get("/v1/memories", params={"namespace": NS})).status_code != 200:
        assert time.monotonic() - back < 2.5 + SLACK, "still failing after the database returned"
    assert (await outage_client.post("/v1/memories", json=MEMORY)).status_code == 201
    assert (await outage_client.get("/readyz")).status_code == 200
