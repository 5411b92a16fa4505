"""Bad input gets a 4xx that says what to fix, and changes nothing that is stored."""

import pytest

NS = ["memories", "alice"]


@pytest.fixture
async def stored(client):
    response = await client.post("/v1/memories", json={"namespace": NS, "key": "keep",
                                                       "content": "original"})
    assert response.status_code == 201
    return response.json()


async def assert_unchanged(client, stored):
    got = await client.get("/v1/memories/keep", params={"namespace": "memories.alice"})
    assert got.json() == stored


@pytest.mark.parametrize("namespace, fragment", [
    ([], "at least one label"),
    (["memories", ""], "non-empty"),
    (["memories", "a.b"], "contains '.'"),
    (["langgraph", "alice"], "reserved"),
])
async def test_invalid_namespaces_are_422_with_reason(client, stored, namespace, fragment):
    response = await client.post("/v1/memories", json={"namespace": namespace, "content": "x"})
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    store_put = await client.put("/store/items", json={"namespace": namespace, "key": "keep",
                                                       "value": {"content": "x"}})
    assert store_put.status_code == 422
    await assert_unchanged(client, stored)


async def test_dotted_namespace_query_rejects_empty_labels(client):
    response = await client.get("/v1/memories", params={"namespace": "memories..alice"})
    assert response.status_code == 422
    assert "non-empty" in response.json()["detail"]


@pytest.mark.parametrize("body", [
    {"namespace": NS},                                   # content missing
    {"namespace": NS, "content": 42},                    # content mistyped
    {"namespace": "memories.alice", "content": "x"},     # namespace not a list
    {"namespace": NS, "content": "x", "colour": "red"},  # unknown field
    {"namespace": NS, "content": "x", "ttl": -5},        # ttl must be positive
])
async def test_missing_or_mistyped_fields_are_422_naming_the_field(client, stored, body):
    response = await client.post("/v1/memories", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail[0]["loc"] and detail[0]["msg"]
    await assert_unchanged(client, stored)


@pytest.mark.parametrize("filter, fragment", [
    ({"price": {"$near": 3}}, "unknown filter operator '$near'"),
    ({"price": {"$gt": [1, 2]}}, "needs a number or a string"),
    ({"price": {"$lt": True}}, "needs a number or a string"),
])
async def test_bad_filters_are_422(client, filter, fragment):
    for path in ("/v1/search", "/store/items/search"):
        key = "namespace_prefix"
        response = await client.post(path, json={key: ["memories"], "filter": filter})
        assert response.status_code == 422, path
        assert fragment in response.json()["detail"]


@pytest.mark.parametrize("params, fragment", [
    ({"limit": 0}, "greater than or equal to 1"),
    ({"limit": 1001}, "MAX_PAGE_SIZE"),
    ({"offset": -1}, "greater than or equal to 0"),
    ({"offset": 10_001}, "MAX_OFFSET"),
])
async def test_limits_out_of_range_are_422(client, params, fragment):
    response = await client.post("/v1/search", json={"query": "x", **params})
    assert response.status_code == 422
    assert fragment in str(response.json()["detail"])


async def test_store_search_limits_are_checked_too(client):
    response = await client.post("/store/items/search", json={"limit": 5000})
    assert response.status_code == 422
    assert "MAX_PAGE_SIZE" in response.json()["detail"]


async def test_oversized_body_is_413_and_nothing_is_written(client, settings):
    huge = "x" * (settings.max_body_bytes + 1)
    response = await client.post("/v1/memories", json={"namespace": NS, "key": "big",
                                                       "content": huge})
    assert response.status_code == 413
    assert "MAX_BODY_BYTES" in response.json()["detail"]
    got = await client.get("/v1/memories/big", params={"namespace": "memories.alice"})
    assert got.status_code == 404


async def test_oversized_chunked_body_is_413(client, settings):
    async def chunks():
        for _ in range(settings.max_body_bytes // 4096 + 2):
            yield b"x" * 4096

    response = await client.post("/v1/memories", content=chunks(),
                                 headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_batch_over_the_cap_is_422(client, settings):
    items = [{"namespace": NS, "content": "x"}] * (settings.max_batch_items + 1)
    response = await client.post("/v1/memories/batch", json={"items": items})
    assert response.status_code == 422
    assert "MAX_BATCH_ITEMS" in response.json()["detail"]


async def test_malformed_json_is_422(client):
    response = await client.post("/v1/memories", content=b"{not json",
                                 headers={"content-type": "application/json"})
    assert response.status_code == 422
