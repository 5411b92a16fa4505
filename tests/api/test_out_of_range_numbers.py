"""Numbers past what the database holds (found by tests/fuzz) are a 422, or mean what they
say; never a 500."""

import httpx
import psycopg
from fastapi import FastAPI

from app.errors import install_error_handler

HUGE = 10**30


async def test_a_ttl_beyond_1000_years_is_422_through_every_door(client):
    for path, body in [
        ("/v1/memories", {"namespace": ["memories", "alice"], "content": "x", "ttl": 1e262}),
        ("/store/items", {"namespace": ["memories", "alice"], "key": "k",
                          "value": {"content": "x"}, "ttl": 1e12}),
    ]:
        response = await client.request("PUT" if path == "/store/items" else "POST", path,
                                        json=body)
        assert response.status_code == 422, (path, response.text)
        assert "less than or equal to" in str(response.json()["detail"])
    listed = await client.get("/v1/memories", params={"namespace": "memories.alice"})
    assert listed.json()["items"] == []


async def test_a_ttl_of_1000_years_is_kept(client):
    response = await client.post("/v1/memories", json={
        "namespace": ["memories", "alice"], "content": "x", "ttl": 1000 * 365 * 24 * 60})
    assert response.status_code == 201, response.text


async def test_a_huge_max_depth_truncates_nothing(client):
    await client.post("/v1/memories", json={"namespace": ["memories", "alice"], "content": "x"})
    listed = await client.get("/v1/namespaces", params={"max_depth": HUGE})
    assert listed.status_code == 200, listed.text
    assert listed.json()["namespaces"] == [["memories", "alice"]]
    store = await client.post("/store/namespaces", json={"max_depth": HUGE})
    assert store.json()["namespaces"] == [["memories", "alice"]]


async def test_a_change_id_past_bigint_is_422(client):
    for method in ("GET", "POST"):
        path = "/v1/history/" + str(HUGE) + ("/restore" if method == "POST" else "")
        response = await client.request(method, path)
        assert response.status_code == 422, response.text


async def test_an_offset_past_bigint_is_422(client):
    response = await client.get("/v1/stats/namespaces", params={"offset": HUGE})
    assert response.status_code == 422, response.text


async def test_a_number_the_database_refuses_is_422_where_no_route_checks_it(database_url):
    # the safety net in app/errors.py, for a route that forgot to bound a number
    app = FastAPI()
    install_error_handler(app)

    @app.get("/offset")
    async def offset(n: int) -> int:
        async with await psycopg.AsyncConnection.connect(database_url) as conn:
            await conn.execute("SELECT 1 OFFSET %s", [n])
        return n

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as bare:
        response = await bare.get("/offset", params={"n": HUGE})
    assert response.status_code == 422, response.text
    assert "out of range" in response.json()["detail"]
