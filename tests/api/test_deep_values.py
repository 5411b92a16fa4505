"""Values nested past MAX_VALUE_DEPTH are a 422 at every door that stores one, naming the cap
and its setting; and a value stored too deep before the cap existed (256 levels and more
answered 500 to every read that met it, an admin's search over all tenants included) reads
as a marker below 200 levels, never a 500, while export keeps it whole."""

import json

import pytest
from langgraph.store.base import PutOp

NS = ["memories", "alice"]
CAP = 64  # MAX_VALUE_DEPTH's default


def deep(levels: int, leaf="x"):
    """An object nested `levels` levels deep: deep(1) == {"a": "x"}."""
    value = leaf
    for _ in range(levels):
        value = {"a": value}
    return value


def doors(value: dict) -> list[tuple[str, str, dict]]:
    """(method, path, body) of every HTTP door that stores `value` (a v1 kind's content)."""
    return [
        ("POST", "/v1/memories", {"namespace": NS, "kind": "K", "content": value}),
        ("POST", "/v1/memories/batch", {"items": [
            {"namespace": NS, "content": "fine"},
            {"namespace": NS, "kind": "K", "content": value}]}),
        ("PUT", "/v1/memories/keep?namespace=memories.alice", {"kind": "K", "content": value}),
        ("PUT", "/store/items", {"namespace": NS, "key": "keep", "value": value}),
    ]


@pytest.fixture
async def kept(client):
    response = await client.post("/v1/memories", json={"namespace": NS, "key": "keep",
                                                       "content": "original"})
    assert response.status_code == 201
    return response.json()


async def assert_only_kept(client, kept):
    listed = await client.get("/v1/memories", params={"namespace": "memories.alice"})
    assert listed.json()["items"] == [kept]


@pytest.mark.parametrize("levels", [CAP + 1, 300])  # just past the cap; past pydantic's 255
@pytest.mark.parametrize("door", range(4))
async def test_a_value_past_the_cap_is_422_at_every_door(client, kept, levels, door):
    method, path, body = doors(deep(levels))[door]
    response = await client.request(method, path, json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert f"at most {CAP} levels (MAX_VALUE_DEPTH)" in detail
    await assert_only_kept(client, kept)


async def test_a_value_at_the_cap_is_stored_and_reads_back_whole(client):
    value = deep(CAP)
    assert (await client.put("/store/items", json={"namespace": NS, "key": "k",
                                                   "value": value})).status_code == 204
    got = await client.get("/store/items", params={"namespace": "memories.alice", "key": "k"})
    assert got.status_code == 200 and got.json()["value"] == value


async def test_the_cap_is_the_max_value_depth_setting(settings, embedder):
    import httpx

    from app.main import create_app

    app = create_app(settings.model_copy(update={"max_value_depth": 4}), embedder=embedder)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        fits = await client.put("/store/items", json={"namespace": NS, "key": "k",
                                                      "value": deep(4)})
        assert fits.status_code == 204
        deeper = await client.put("/store/items", json={"namespace": NS, "key": "k",
                                                        "value": deep(5)})
        assert deeper.status_code == 422
        assert "at most 4 levels (MAX_VALUE_DEPTH)" in deeper.json()["detail"]


async def test_tool_arguments_nested_past_any_value_are_422(client):
    arguments = {"query": "x", "filter": deep(300)}
    for sent in (arguments, json.dumps(arguments), '{"query": "x", "filter": '
                 + '{"a": ' * 5000 + "1" + "}" * 5000 + "}"):
        response = await client.post("/v1/tools/execute", json={
            "name": "search_memory", "arguments": sent, "config": {"user_id": "alice"}})
        assert response.status_code == 422, response.text
        assert "MAX_VALUE_DEPTH" in response.json()["detail"] or \
            "nested too deeply to parse" in response.json()["detail"]


@pytest.fixture
async def planted(client, store):
    """A value 300 levels deep, stored as an older release let it be (no door checks it
    now), in another tenant's namespace, next to an ordinary memory."""
    await client.post("/v1/memories", json={"namespace": NS, "key": "fine",
                                            "content": "Alice likes tea"})
    await store.apply_puts([PutOp(("memories", "mallory"), "deep", deep(300, "tea"))])
    return deep(300, "tea")


def cut_at(value, levels: int):
    for _ in range(levels):
        value = value["a"]
    return value


async def test_reads_survive_a_value_already_stored_too_deep(client, planted):
    got = await client.get("/store/items", params={"namespace": "memories.mallory",
                                                   "key": "deep"})
    assert got.status_code == 200, got.text
    assert cut_at(got.json()["value"], 200).startswith("(nested more than 200 levels")
    v1 = await client.get("/v1/memories/deep", params={"namespace": "memories.mallory"})
    assert v1.status_code == 200, v1.text
    listed = await client.get("/v1/memories", params={"namespace": "memories.mallory"})
    assert listed.status_code == 200, listed.text
    # one tenant's value does not break a search over everyone's
    for path, body in [("/store/items/search", {"namespace_prefix": []}),
                       ("/v1/search", {"namespace_prefix": []}),
                       ("/v1/search", {"namespace_prefix": ["memories"], "query": "tea"}),
                       ("/v1/search", {"namespace_prefix": ["memories"], "query": "tea",
                                       "mode": "keyword"})]:
        found = await client.post(path, json=body)
        assert found.status_code == 200, (path, body, found.text)
        assert {i["key"] for i in found.json()["items"]} == {"fine", "deep"}
    tool = await client.post("/v1/tools/execute", json={
        "name": "search_memory", "arguments": {"query": "tea"},
        "namespace": ["memories", "{user_id}"], "config": {"user_id": "mallory"}})
    assert tool.status_code == 200, tool.text


async def test_export_keeps_a_too_deep_value_whole(client, store, planted):
    exported = await client.get("/v1/export", params={"prefix": "memories.mallory"})
    assert exported.status_code == 200
    assert json.loads(exported.text)["value"] == planted
    stored = await store.get_items(("memories", "mallory"), ["deep"])
    assert stored["deep"].value == planted


async def test_history_of_a_value_already_stored_too_deep_reads(client, planted):
    page = await client.get("/v1/history", params={"namespace": "memories.mallory",
                                                   "key": "deep"})
    assert page.status_code == 200, page.text
    [change] = page.json()["changes"]
    assert cut_at(change["new_value"], 200).startswith("(nested more than 200 levels")
    one = await client.get(f"/v1/history/{change['id']}")
    assert one.status_code == 200, one.text
