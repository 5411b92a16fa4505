"""RemoteStore: LangGraph's BaseStore over the service's /store API, against a live server."""

import asyncio

import pytest
from langgraph.store.base import GetOp, ListNamespacesOp, MatchCondition, PutOp, SearchOp

from app.client import RemoteStore, RemoteStoreError, _waves
from tests.live_server import free_port


def test_sync_operations(remote, user):
    ns = ("memories", user)
    remote.put(ns, "theme", {"content": "User prefers dark mode"})
    remote.put(ns, "pet", {"content": "User has a dog named Fido"})
    remote.put((*ns, "work"), "job", {"content": "User works at Acme"})

    item = remote.get(ns, "theme")
    assert (item.namespace, item.key, item.value) == (ns, "theme",
                                                       {"content": "User prefers dark mode"})
    assert item.created_at.tzinfo is not None and item.updated_at >= item.created_at
    assert remote.get(ns, "missing") is None

    found = remote.search(ns, query="what pet does the user have?", limit=1)
    assert [(i.key, type(i.score)) for i in found] == [("pet", float)]
    listed = remote.search(ns, limit=10)
    assert {i.key for i in listed} == {"theme", "pet", "job"}
    assert all(i.score is None for i in listed)
    assert [i.key for i in remote.search(ns, filter={"content": "User works at Acme"})] == \
        ["job"]
    assert len(remote.search(ns, limit=2, offset=2)) == 1

    assert remote.list_namespaces(prefix=ns) == [ns, (*ns, "work")]
    assert remote.list_namespaces(prefix=ns, max_depth=2) == [ns]
    assert remote.list_namespaces(prefix=("memories", "*"), suffix=("work",)) == \
        [(*ns, "work")]

    remote.delete(ns, "theme")
    remote.delete(ns, "theme")  # deleting twice is fine, as in every BaseStore
    assert remote.get(ns, "theme") is None


async def test_async_operations_and_batches(remote, user):
    ns = ("memories", user)
    await remote.aput(ns, "a", {"content": "User likes green tea"})
    assert (await remote.aget(ns, "a")).value == {"content": "User likes green tea"}
    assert [i.key for i in await remote.asearch(ns, query="drinks")] == ["a"]
    assert await remote.alist_namespaces(prefix=ns) == [ns]

    # independent ops run at once; ops on the same items keep their order
    results = await remote.abatch([
        PutOp(ns, "b", {"content": "User lives in Lisbon"}),
        GetOp(ns, "b"),
        PutOp(ns, "a", None),
        GetOp(ns, "a"),
        SearchOp(ns, limit=10),
        PutOp(ns, "b", {"content": "User lives in Porto"}),
        GetOp(ns, "b"),
        ListNamespacesOp((MatchCondition("prefix", ns),)),
    ])
    assert results[0] is None and results[2] is None and results[5] is None
    assert results[1].value == {"content": "User lives in Lisbon"}
    assert results[3] is None
    assert [i.key for i in results[4]] == ["b"]
    assert results[6].value == {"content": "User lives in Porto"}
    assert results[7] == [ns]
    await remote.adelete(ns, "b")
    assert await remote.asearch(ns) == []


def test_batches_run_in_waves():
    ns, other = ("m", "a"), ("m", "b")
    ops = [GetOp(ns, "k"), SearchOp(("m",)), GetOp(other, "k"),  # reads: together
           PutOp(ns, "k", {"v": 1}),  # after the reads of ns/k and of the search over m
           GetOp(other, "x"),  # independent: first wave
           GetOp(ns, "k"),  # after the put
           PutOp(other, "z", {"v": 2}),  # after the search over m
           ListNamespacesOp()]  # after every write
    assert _waves(ops) == [[0, 1, 2, 4], [3, 6], [5, 7]]
    assert _waves([PutOp(ns, "k", {}), PutOp(ns, "k", None), PutOp(other, "k", {})]) == \
        [[0, 2], [1]]


def test_each_event_loop_gets_its_own_async_client(remote, user):
    """Scripts call asyncio.run more than once; a pooled connection must not cross loops."""
    ns = ("memories", user)
    asyncio.run(remote.aput(ns, "x", {"content": "one"}))
    assert asyncio.run(remote.aget(ns, "x")).value == {"content": "one"}
    asyncio.run(remote.adelete(ns, "x"))
    assert remote.get(ns, "x") is None


def test_ttl_index_and_refresh_on_read(remote, api, user):
    ns = ("memories", user)

    def expiry(key: str) -> tuple[float, str]:  # read without refreshing: a plain listing
        items = api.post("/v1/search", json={"namespace_prefix": list(ns),
                                             "limit": 100}).json()["items"]
        found = next(i for i in items if i["key"] == key)
        return found["ttl_minutes"], found["expires_at"]

    remote.put(ns, "short", {"content": "User is in Berlin this week"}, ttl=60)
    ttl, first = expiry("short")
    assert ttl == 60
    remote.get(ns, "short", refresh_ttl=False)
    remote.search(ns, query="where is the user", refresh_ttl=False)
    assert expiry("short")[1] == first
    remote.get(ns, "short")  # BaseStore's default: reads refresh the TTL
    assert expiry("short")[1] > first

    with RemoteStore(remote.url, ttl={"default_ttl": 5}) as defaulted:
        defaulted.put(ns, "default", {"content": "User's flight is at noon"})
    assert expiry("default")[0] == 5

    remote.put(ns, "hidden", {"content": "User's locker code is 1234"}, index=False)
    remote.put(ns, "fields", {"title": "Dogs", "body": "User has a dog named Fido"},
               index=["body"])
    by_query = [i.key for i in remote.search(ns, query="locker code", limit=10)]
    assert "hidden" not in by_query
    assert remote.search(ns, query="the user's pet", limit=1)[0].key == "fields"


def test_errors_are_clear(remote, agent_server):
    with pytest.raises(RemoteStoreError) as invalid:
        remote.batch([PutOp(("langgraph", "x"), "k", {"a": 1})])  # past BaseStore's checks
    assert invalid.value.status_code == 422
    assert "langgraph" in str(invalid.value) and "PUT" in str(invalid.value)
    with pytest.raises(RemoteStoreError) as bad_filter:
        remote.search(("memories",), filter={"price": {"$near": 1}})
    assert bad_filter.value.status_code == 422 and "$near" in bad_filter.value.detail

    with RemoteStore(f"http://127.0.0.1:{free_port()}", timeout=2) as nowhere, \
            pytest.raises(RemoteStoreError, match="could not reach") as down:
        nowhere.get(("memories",), "k")
    assert down.value.status_code is None


async def test_async_errors_are_clear(remote):
    with pytest.raises(RemoteStoreError) as invalid:
        await remote.abatch([PutOp(("langgraph",), "k", {"a": 1}), GetOp(("x",), "k")])
    assert invalid.value.status_code == 422


def test_api_key_and_headers_are_sent(agent_server):
    with RemoteStore(agent_server.url, api_key="secret", headers={"x-tenant": "t1"}) as store:
        sent = store._sync_client().build_request("GET", "/store/items").headers
    assert sent["x-api-key"] == "secret" and sent["x-tenant"] == "t1"
