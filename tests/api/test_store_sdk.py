"""The /store API answers the official langgraph_sdk client, against a live server."""

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.errors import UnprocessableEntityError


@pytest.fixture
def sdk(module_live_server):
    return get_client(url=module_live_server.url)


async def test_put_get_search_delete_through_langgraph_sdk(sdk):
    store = sdk.store
    await store.put_item(["memories", "alice"], key="theme",
                         value={"content": "User prefers dark mode"})
    await store.put_item(["memories", "alice"], key="pet",
                         value={"content": "User has a dog named Fido"})
    await store.put_item(["memories", "bob"], key="theme", value={"content": "Bob likes light"})

    item = await store.get_item(["memories", "alice"], key="theme")
    assert item["value"] == {"content": "User prefers dark mode"}
    assert item["namespace"] == ["memories", "alice"]
    assert item["created_at"] and item["updated_at"]
    assert await store.get_item(["memories", "alice"], key="missing") is None

    found = await store.search_items(["memories", "alice"], query="what pet does the user have",
                                     limit=1)
    assert [i["key"] for i in found["items"]] == ["pet"]
    assert isinstance(found["items"][0]["score"], float)
    listed = await store.search_items(["memories"], limit=10)
    assert len(listed["items"]) == 3
    assert all(i["score"] is None for i in listed["items"])

    namespaces = await store.list_namespaces(prefix=["memories"])
    assert namespaces["namespaces"] == [["memories", "alice"], ["memories", "bob"]]

    await store.delete_item(["memories", "alice"], key="theme")
    await store.delete_item(["memories", "alice"], key="theme")  # deleting twice is fine
    assert await store.get_item(["memories", "alice"], key="theme") is None


async def test_sdk_sees_validation_errors_as_4xx(sdk):
    with pytest.raises(UnprocessableEntityError):
        await sdk.store.put_item(["langgraph", "x"], key="k", value={"a": 1})
    with pytest.raises(UnprocessableEntityError):
        await sdk.store.search_items(["memories"], filter={"price": {"$near": 1}})


def test_get_without_key_is_400_and_missing_item_is_null(module_live_server):
    url = module_live_server.url
    no_key = httpx.get(f"{url}/store/items", params={"namespace": "a.b"})
    assert no_key.status_code == 400
    assert "key" in no_key.json()["detail"]
    missing = httpx.get(f"{url}/store/items", params={"namespace": "a.b", "key": "k"})
    assert missing.status_code == 200
    assert missing.json() is None
    deleted = httpx.request("DELETE", f"{url}/store/items",
                            json={"namespace": ["a", "b"], "key": "k"})
    assert deleted.status_code == 204
