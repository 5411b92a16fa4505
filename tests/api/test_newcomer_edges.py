"""Edges a new user hits first: blank memories, TTLs too small to mean anything, and a
namespace written in a query string the wrong way. Each is a 422 that says what to fix."""

import pytest

NS = ["memories", "alice"]
BLANK = ["", "   ", "\n\t  \r\n"]


@pytest.mark.parametrize("content", BLANK)
async def test_blank_content_is_422_on_v1(client, content):
    created = await client.post("/v1/memories", json={"namespace": NS, "content": content})
    assert created.status_code == 422
    assert "whitespace" in created.text
    batch = await client.post("/v1/memories/batch", json={"items": [
        {"namespace": NS, "content": "fine"}, {"namespace": NS, "content": content}]})
    assert batch.status_code == 422
    page = await client.get("/v1/memories", params={"namespace": "memories.alice"})
    assert page.json()["items"] == []  # all or nothing


async def test_blank_content_cannot_replace_a_memory(client):
    await client.post("/v1/memories", json={"namespace": NS, "key": "k", "content": "kept"})
    replaced = await client.put("/v1/memories/k", params={"namespace": "memories.alice"},
                                json={"content": "  "})
    assert replaced.status_code == 422
    got = await client.get("/v1/memories/k", params={"namespace": "memories.alice"})
    assert got.json()["value"]["content"] == {"content": "kept"}


async def test_blank_content_is_422_from_the_tools(client):
    response = await client.post("/v1/tools/execute", json={
        "name": "manage_memory", "arguments": {"action": "create", "content": " \n "},
        "namespace": NS})
    assert response.status_code == 422
    assert "whitespace" in response.text


async def test_store_stays_as_permissive_as_langgraph(client):
    put = await client.put("/store/items", json={"namespace": NS, "key": "k",
                                                 "value": {"content": "  "}})
    assert put.status_code == 204


@pytest.mark.parametrize("ttl", [5e-324, 1e-9, 0.001])
async def test_a_ttl_below_one_second_is_422_naming_the_minimum(client, ttl):
    response = await client.post("/v1/memories", json={"namespace": NS, "content": "x",
                                                       "ttl": ttl})
    assert response.status_code == 422
    assert "1 second" in response.text
    store_put = await client.put("/store/items", json={"namespace": NS, "key": "k",
                                                       "value": {"content": "x"}, "ttl": ttl})
    assert store_put.status_code == 422


async def test_a_one_second_ttl_is_created_and_readable(client):
    response = await client.post("/v1/memories", json={"namespace": NS, "content": "x",
                                                       "ttl": 1 / 60})
    assert response.status_code == 201


@pytest.mark.parametrize("path", ["/v1/memories", "/v1/memories/k", "/v1/history"])
@pytest.mark.parametrize("namespace", ['["memories", "alice"]', '["memories","alice"]',
                                       "memories/alice", "/memories/alice/"])
async def test_a_malformed_query_namespace_is_422_showing_the_dotted_form(client, path,
                                                                         namespace):
    response = await client.get(path, params={"namespace": namespace, "key": "k"})
    assert response.status_code == 422
    assert "memories.alice" in response.json()["detail"]


@pytest.mark.parametrize("param", ["prefix", "suffix"])
async def test_a_malformed_namespaces_filter_is_422(client, param):
    response = await client.get("/v1/namespaces", params={param: "memories/alice"})
    assert response.status_code == 422
    assert "memories.alice" in response.json()["detail"]


async def test_v1_refuses_a_slash_label_it_could_not_read_back(client):
    response = await client.post("/v1/memories", json={"namespace": ["memories/alice"],
                                                       "content": "x"})
    assert response.status_code == 422
    assert "memories.alice" in response.text


@pytest.mark.parametrize("path, param", [("/v1/export", "prefix"), ("/v1/stats", "prefix"),
                                         ("/v1/stats/namespaces", "prefix"),
                                         ("/v1/jobs", "namespace")])
async def test_a_malformed_query_prefix_is_422_on_data_and_jobs_too(client, path, param):
    response = await client.get(path, params={param: "memories/alice"})
    assert response.status_code == 422, response.text
    assert "memories.alice" in response.json()["detail"]
