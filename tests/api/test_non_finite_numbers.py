"""NaN, Infinity and numbers past a double (1e400, which Python's JSON parser reads as
Infinity) anywhere in a body are a 422 naming where, at every door; they answered 500 (the
validation error's renderer itself crashed on NaN) or matched nothing in a filter."""

from typing import Annotated

import httpx
import pytest
from fastapi import Body, FastAPI

from app.errors import install_error_handler

JSON = {"content-type": "application/json"}
NUMBERS = [("NaN", "is NaN"), ("Infinity", "is Infinity"), ("-Infinity", "is -Infinity"),
           ("1e400", "is Infinity"), ("-1e400", "is -Infinity")]
ALICE = '"namespace": ["memories", "alice"]'


def bodies(n: str) -> list[tuple[str, str, str, str]]:
    """(method, path, body, where) with the number `n` in a numeric field, in content, in a
    stored value and in a filter."""
    return [
        ("POST", "/v1/memories", f'{{{ALICE}, "content": "x", "ttl": {n}}}', "body.ttl"),
        ("POST", "/v1/memories", f'{{{ALICE}, "kind": "K", "content": {{"p": [{n}]}}}}',
         "body.content.p[0]"),
        ("POST", "/v1/memories/batch", f'{{"items": [{{{ALICE}, "content": "x", "ttl": {n}}}]}}',
         "body.items[0].ttl"),
        ("PUT", "/store/items", f'{{{ALICE}, "key": "k", "value": {{"price": {n}}}}}',
         "body.value.price"),
        ("PUT", "/store/items", f'{{{ALICE}, "key": "k", "value": {{}}, "ttl": {n}}}',
         "body.ttl"),
        ("POST", "/v1/search", f'{{"query": "x", "filter": {{"price": {{"$gt": {n}}}}}}}',
         "body.filter.price.$gt"),
        ("POST", "/v1/search", f'{{"query": "x", "limit": {n}}}', "body.limit"),
        ("POST", "/store/items/search", f'{{"filter": {{"price": {n}}}}}', "body.filter.price"),
        ("POST", "/v1/tools/execute", '{"name": "search_memory", "config": {"user_id": "a"}, '
         f'"arguments": {{"query": "x", "limit": {n}}}}}', "body.arguments.limit"),
    ]


@pytest.mark.parametrize("number, says", NUMBERS)
async def test_a_non_finite_number_is_422_naming_where(client, number, says):
    for method, path, body, where in bodies(number):
        response = await client.request(method, path, content=body.encode(), headers=JSON)
        assert response.status_code == 422, (path, body, response.text)
        assert response.json()["detail"].startswith(f"{where} {says}"), (path, body)
    listed = await client.get("/v1/memories", params={"namespace": "memories.alice"})
    assert listed.json()["items"] == []
    assert (await client.get("/store/items", params={
        "namespace": "memories.alice", "key": "k"})).json() is None


async def test_a_non_finite_number_in_tool_argument_text_is_422(client):
    for name, arguments, where in [
        ("search_memory", '{"query": "x", "filter": {"price": {"$gt": Infinity}}}',
         "arguments.filter.price.$gt"),
        ("search_memory", '{"query": "x", "limit": NaN}', "arguments.limit"),
        ("manage_memory", '{"content": "x", "id": 1e400}', "arguments.id"),
    ]:
        response = await client.post("/v1/tools/execute", json={
            "name": name, "arguments": arguments, "config": {"user_id": "alice"}})
        assert response.status_code == 422, response.text
        assert response.json()["detail"].startswith(f"{where} is "), response.text


async def test_the_validation_error_renderer_survives_nan():
    # a route without the body guard: its validation error echoes the NaN it refuses
    app = FastAPI()
    install_error_handler(app)

    @app.post("/echo")
    async def echo(x: Annotated[float, Body(embed=True, gt=0)]) -> float:
        return x

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as bare:
        for number, shown in [("NaN", "nan"), ("-1e400", "-inf")]:
            response = await bare.post("/echo", content=f'{{"x": {number}}}'.encode(),
                                       headers=JSON)
            assert response.status_code == 422
            assert response.json()["detail"][0]["input"] == shown
