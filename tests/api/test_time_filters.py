"""Time filters (created/updated after/before) and sort on v1 list and search, in every
mode: inside the SQL, so pages stay full and disjoint."""

import psycopg
import pytest

from tests.hybrid.helpers import app_client

NS = ["timed", "alice"]
KEYS = [f"m{i}" for i in range(6)]  # m{i}: created 2024-01-0{i+1}, updated 2024-02-0{i+1}


@pytest.fixture
async def timed(client, database_url):
    for key in KEYS:
        response = await client.post("/v1/memories", json={
            "namespace": NS, "key": key, "content": f"Alice drinks coffee number {key}"})
        assert response.status_code == 201, response.text
    with psycopg.connect(database_url, autocommit=True) as conn:
        for i, key in enumerate(KEYS):
            conn.execute("UPDATE store SET created_at = %s, updated_at = %s"
                         " WHERE prefix = 'timed.alice' AND key = %s",
                         (f"2024-01-0{i + 1}T00:00:00Z", f"2024-02-0{i + 1}T00:00:00Z", key))
    return client


async def listed(client, **params):
    response = await client.get("/v1/memories", params={"namespace": "timed.alice", **params})
    assert response.status_code == 200, response.text
    return [m["key"] for m in response.json()["items"]]


async def searched(client, **body):
    response = await client.post("/v1/search", json={"namespace_prefix": NS, **body})
    assert response.status_code == 200, response.text
    return [m["key"] for m in response.json()["items"]]


async def test_list_keeps_after_inclusive_and_before_exclusive(timed):
    keys = await listed(timed, created_after="2024-01-02", created_before="2024-01-05")
    assert sorted(keys) == ["m1", "m2", "m3"]


async def test_list_reads_offsets_and_naive_times_as_utc(timed):
    # 01:00+01:00 is midnight UTC: m2's update; a naive time is UTC.
    keys = await listed(timed, updated_after="2024-02-03T01:00:00+01:00",
                        updated_before="2024-02-05T00:00:00")
    assert sorted(keys) == ["m2", "m3"]
    assert sorted(await listed(timed, updated_before="2024-02-01T00:00:01Z")) == ["m0"]


async def test_list_sorts_by_created_or_updated_either_way(timed):
    assert await listed(timed, sort="created", order="asc") == KEYS
    assert await listed(timed, sort="created") == KEYS[::-1]
    assert await listed(timed, sort="updated", order="desc", limit=2, offset=1) == ["m4", "m3"]


@pytest.mark.parametrize("mode", ["semantic", "keyword", "hybrid", None])
async def test_search_filters_inside_every_mode_with_full_disjoint_pages(timed, mode):
    body = {"created_after": "2024-01-02", "created_before": "2024-01-06T00:00:00Z",
            "limit": 2}
    if mode:
        body |= {"query": "coffee", "mode": mode}
    first = await searched(timed, **body, offset=0)
    second = await searched(timed, **body, offset=2)
    rest = await searched(timed, **body, offset=4)
    assert len(first) == 2 and len(second) == 2 and rest == []
    assert sorted(first + second) == ["m1", "m2", "m3", "m4"]


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
async def test_streamed_paths_filter_inside_too(timed, settings, embedder, mode):
    """Above EXACT_SEARCH_THRESHOLD (here: always) the HNSW scan and the block-by-block
    hybrid stream (2 vector candidates a block) keep pages full and disjoint as well."""
    body = {"query": "coffee", "mode": mode, "updated_after": "2024-02-03",
            "updated_before": "2024-02-06", "limit": 2}
    async with app_client(settings, embedder, exact_search_threshold=0,
                          hybrid_candidates=2) as (client, _):
        first = await searched(client, **body, offset=0)
        second = await searched(client, **body, offset=2)
    assert len(first) == 2 and len(second) == 1
    assert sorted(first + second) == ["m2", "m3", "m4"]


async def test_search_without_query_sorts(timed):
    keys = await searched(timed, updated_after="2024-02-04", sort="created", order="asc")
    assert keys == ["m3", "m4", "m5"]


@pytest.mark.parametrize("field", ["created_after", "created_before", "updated_after",
                                   "updated_before"])
async def test_bad_time_is_422_naming_field_and_format(timed, field):
    response = await timed.get("/v1/memories", params={"namespace": "timed.alice",
                                                       field: "last tuesday"})
    assert response.status_code == 422
    assert field in response.text and "ISO 8601" in response.text
    response = await timed.post("/v1/search", json={"namespace_prefix": NS, "query": "coffee",
                                                    field: "2024-13-01"})
    assert response.status_code == 422
    assert field in response.text and "ISO 8601" in response.text


async def test_after_later_than_before_is_422(timed):
    response = await timed.get("/v1/memories", params={
        "namespace": "timed.alice", "created_after": "2024-02-01",
        "created_before": "2024-01-01"})
    assert response.status_code == 422
    assert "created_after" in response.text and "created_before" in response.text
    response = await timed.post("/v1/search", json={
        "namespace_prefix": NS, "updated_after": "2024-02-01T00:00:00+00:00",
        "updated_before": "2024-01-31T23:00:00+02:00"})
    assert response.status_code == 422
    assert "updated_after" in response.text


async def test_bad_sort_is_422(timed):
    response = await timed.get("/v1/memories", params={"namespace": "timed.alice",
                                                       "sort": "size"})
    assert response.status_code == 422
    response = await timed.post("/v1/search", json={"namespace_prefix": NS, "query": "coffee",
                                                    "sort": "created"})
    assert response.status_code == 422
    assert "sort" in response.text


async def test_the_search_tool_takes_the_same_bounds(timed):
    """search_memory (the tools API, and MCP, which runs the same tool) filters by time."""
    async def tool(**arguments):
        return await timed.post("/v1/tools/execute", json={
            "name": "search_memory", "namespace": NS,
            "arguments": {"query": "coffee", "limit": 10, **arguments}})
    found = await tool(created_after="2024-01-05", updated_before="2024-02-07")
    assert found.status_code == 200, found.text
    assert sorted(m["key"] for m in found.json()["artifact"]) == ["m4", "m5"]
    bad = await tool(updated_after="soon")
    assert bad.status_code == 422 and "updated_after" in bad.json()["detail"]
    listed = (await timed.get("/v1/tools")).json()["tools"]
    search = next(t for t in listed if t["function"]["name"] == "search_memory")
    assert {"created_after", "created_before", "updated_after", "updated_before"} <= \
        search["function"]["parameters"]["properties"].keys()
