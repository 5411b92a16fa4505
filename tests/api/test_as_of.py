"""A namespace or one memory as it stood at a time, and what changed between two times, read
from the history: lifecycles, TTL expiry, memories older than the history, paging, grants,
bad input and forget."""

from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from tests.auth.conftest import ADMIN_KEY, bearer, create_key, keyed  # noqa: F401 (fixture)

NS = ["memories", "alice"]
Q = {"namespace": "memories.alice"}
US = timedelta(microseconds=1)


async def write(client, method, key, content=None, ns=NS):
    params = {"namespace": ".".join(ns)}
    if method == "POST":
        response = await client.post("/v1/memories", json={"namespace": ns, "key": key,
                                                            "content": content})
    elif method == "PUT":
        response = await client.put(f"/v1/memories/{key}", params=params,
                                    json={"content": content})
    else:
        response = await client.delete(f"/v1/memories/{key}", params=params)
    assert response.status_code in (200, 201, 204), response.text


async def changes_of(client, key, ns="memories.alice"):
    """The key's recorded changes, oldest first."""
    response = await client.get("/v1/history", params={"namespace": ns, "key": key})
    return response.json()["changes"][::-1]


def date(change) -> datetime:
    return datetime.fromisoformat(change["changed_at"])


async def as_of(client, at, namespace="memories.alice", **params):
    response = await client.get("/v1/as-of", params={"namespace": namespace,
                                                     "at": str(at), **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def item_as_of(client, key, at, namespace="memories.alice"):
    return await client.get(f"/v1/as-of/{key}", params={"namespace": namespace, "at": str(at)})


def text(value) -> str:
    return value["content"]["content"]


async def changed(client, since, until=None, namespace="memories.alice", **params):
    query = {"namespace": namespace, "since": str(since), **params}
    if until is not None:
        query["until"] = str(until)
    response = await client.get("/v1/changes", params=query)
    assert response.status_code == 200, response.text
    return response.json()["changes"]


def set_times(database_url, *pairs):
    """Date recorded changes (id, ISO time), or store rows (prefix, key, created_at)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        for pair in pairs:
            if len(pair) == 2:
                conn.execute("UPDATE memory_history SET changed_at = %s WHERE id = %s",
                             (pair[1], pair[0]))
            else:
                conn.execute("UPDATE store SET created_at = %s WHERE prefix = %s AND key = %s",
                             (pair[2], pair[0], pair[1]))


async def test_a_memory_through_create_updates_delete_and_recreate(client):
    await write(client, "POST", "k", "v1")
    await write(client, "PUT", "k", "v2")
    await write(client, "PUT", "k", "v3")
    await write(client, "DELETE", "k")
    await write(client, "POST", "k", "again")
    made, up1, up2, gone, again = await changes_of(client, "k")
    assert await as_of(client, date(made) - US) == []
    expected = [(made, "v1"), (up1, "v2"), (up2, "v3")]
    for change, content in expected:
        for at in (date(change), date(change) + US):  # a change counts from its own time
            [item] = await as_of(client, at)
            assert (item["key"], text(item["value"])) == ("k", content)
            assert item["created_at"] == made["changed_at"]
            assert (item["updated_at"], item["change_id"]) == (change["changed_at"],
                                                               change["id"])
    assert await as_of(client, date(gone)) == []
    assert (await item_as_of(client, "k", date(gone))).status_code == 404
    [item] = await as_of(client, date(again))
    assert text(item["value"]) == "again" and item["created_at"] == again["changed_at"]
    one = await item_as_of(client, "k", date(up1))
    assert one.status_code == 200 and text(one.json()["value"]) == "v2"


async def test_pages_are_full_disjoint_and_ordered_under_the_prefix(client):
    keys = [(NS, f"k{i}") for i in range(5)] + [([*NS, "work"], f"w{i}") for i in range(3)]
    for ns, key in keys:
        await write(client, "POST", key, f"fact {key}", ns=ns)
    await write(client, "POST", "x", "a sibling", ns=["memories", "alice2"])
    at = date((await changes_of(client, "w2", "memories.alice.work"))[0])
    await write(client, "DELETE", "k3")  # after `at`: still there as of then
    await write(client, "POST", "late", "after at")
    pages = [await as_of(client, at, limit=3, offset=o) for o in (0, 3, 6, 9)]
    assert [len(p) for p in pages] == [3, 3, 2, 0]
    seen = [(i["namespace"], i["key"]) for p in pages for i in p]
    assert seen == sorted(keys, key=lambda k: (".".join(k[0]), k[1]))
    now = {i["key"] for i in await as_of(client, "2999-01-01", limit=100)}
    assert "k3" not in now and "late" in now and "x" not in now


async def test_ttl_expiry_counts_from_the_sweep_that_deleted_it(client, store, database_url):
    await client.post("/v1/memories", json={"namespace": NS, "key": "t", "content": "brief",
                                            "ttl": 5})
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE store SET expires_at = now() - interval '1 second'")
    assert await store.sweep_ttl() == 1
    made, swept = await changes_of(client, "t")
    assert swept["source"] == "ttl"
    assert [i["key"] for i in await as_of(client, date(swept) - US)] == ["t"]
    assert await as_of(client, date(swept)) == []
    [net] = await changed(client, date(made) - US, date(swept))
    assert net["action"] == "created_and_deleted" and text(net["last_value"]) == "brief"


async def test_memories_written_before_the_history_began(client, database_url):
    """Rows a plain LangGraph store wrote before migration 0002: one never changed since has
    its creation recorded by 0014 at its created_at; one changed since held, before its
    first recorded change, that change's old value (since an unknown time)."""
    for key in ("quiet", "changed", "deleted"):
        await write(client, "POST", key, f"{key} at first")
    await write(client, "PUT", "changed", "changed later")
    await write(client, "DELETE", "deleted")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM memory_history WHERE action = 'insert'")
        conn.execute("UPDATE store SET created_at = '2024-01-01T00:00:00Z' WHERE key = 'quiet'")
        assert conn.execute("SELECT memory_history_backfill()").fetchone()[0] == 1
        assert conn.execute("SELECT memory_history_backfill()").fetchone()[0] == 0
    [baseline] = await changes_of(client, "quiet")
    assert (baseline["source"], baseline["changed_at"]) == ("baseline", "2024-01-01T00:00:00Z")
    early = {i["key"]: i for i in await as_of(client, "2023-12-31")}
    assert set(early) == {"changed", "deleted"}  # "quiet" was created later
    assert early["deleted"] == {
        "namespace": NS, "key": "deleted", "value": {"kind": "Memory", "content": {
            "content": "deleted at first"}}, "created_at": None, "updated_at": None,
        "change_id": None}
    assert text(early["changed"]["value"]) == "changed at first"
    later = {i["key"]: i for i in await as_of(client, "2024-03-01")}
    assert set(later) == {"quiet", "changed", "deleted"}
    assert later["quiet"]["created_at"] == "2024-01-01T00:00:00Z"
    assert later["quiet"]["change_id"] == baseline["id"]
    now = {i["key"]: i for i in await as_of(client, "2999-01-01")}
    assert set(now) == {"quiet", "changed"}
    assert text(now["changed"]["value"]) == "changed later"
    assert now["changed"]["created_at"] is None  # before the history began
    nets = {c["key"]: c for c in await changed(client, "2024-01-15", "2999-01-01")}
    assert {k: c["action"] for k, c in nets.items()} == {"changed": "updated",
                                                          "deleted": "deleted"}
    assert text(nets["changed"]["before"]) == "changed at first"


async def test_changes_are_net_per_memory_over_the_window(client, database_url):
    await write(client, "POST", "kept", "unchanged")
    await write(client, "POST", "edited", "old")
    await write(client, "POST", "removed", "bye")
    await write(client, "POST", "reverted", "same")
    await write(client, "POST", "reborn", "first life")
    # window (2024-02-01, 2024-03-01]: everything below happens inside it
    await write(client, "PUT", "edited", "new")
    await write(client, "PUT", "edited", "newer")
    await write(client, "DELETE", "removed")
    await write(client, "PUT", "reverted", "other")
    await write(client, "PUT", "reverted", "same")
    await write(client, "DELETE", "reborn")
    await write(client, "POST", "reborn", "second life")
    await write(client, "POST", "fleeting", "here and gone")
    await write(client, "DELETE", "fleeting")
    await write(client, "POST", "born", "new here")
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute("SELECT id, action FROM memory_history ORDER BY id").fetchall()
    set_times(database_url, *[(i, "2024-01-10T00:00:00Z") for i, _ in rows[:5]],
              *[(i, "2024-02-15T00:00:00Z") for i, _ in rows[5:]])
    nets = await changed(client, "2024-02-01", "2024-03-01")
    assert [(c["key"], c["action"]) for c in nets] == [
        ("born", "created"), ("edited", "updated"), ("fleeting", "created_and_deleted"),
        ("reborn", "updated"), ("removed", "deleted")]  # "reverted" nets to nothing
    by_key = {c["key"]: c for c in nets}
    edited = by_key["edited"]
    assert (text(edited["before"]), text(edited["after"]), edited["changes"]) == (
        "old", "newer", 2)
    assert by_key["removed"]["after"] is None and text(by_key["removed"]["before"]) == "bye"
    assert by_key["born"]["before"] is None and text(by_key["born"]["after"]) == "new here"
    fleeting = by_key["fleeting"]
    assert (fleeting["before"], fleeting["after"], text(fleeting["last_value"])) == (
        None, None, "here and gone")
    # the window excludes `since` and includes `until`; pages are full and disjoint
    assert await changed(client, "2024-02-15T00:00:00Z", "2024-03-01") == []
    assert len(await changed(client, "2024-02-01", "2024-02-15T00:00:00Z")) == 5
    pages = [await changed(client, "2024-02-01", "2024-03-01", limit=2, offset=o)
             for o in (0, 2, 4)]
    assert [c["key"] for p in pages for c in p] == [c["key"] for c in nets]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert (await changed(client, "2024-01-01", "2024-02-01"))[0]["action"] == "created"


async def test_until_defaults_to_now_and_naive_times_are_utc(client):
    await write(client, "POST", "k", "v")
    response = await client.get("/v1/changes", params={**Q, "since": "2000-01-01"})
    body = response.json()
    assert [c["key"] for c in body["changes"]] == ["k"]
    assert datetime.fromisoformat(body["until"]).tzinfo is not None
    [made] = await changes_of(client, "k")
    naive = date(made).replace(tzinfo=None) - US
    assert await as_of(client, naive.isoformat()) == []
    shifted = date(made).astimezone(timezone(timedelta(hours=2)))  # the same instant
    assert len(await as_of(client, shifted.isoformat())) == 1
    page = (await client.get("/v1/as-of", params={**Q, "at": "2024-05-01"})).json()
    assert page["at"] == "2024-05-01T00:00:00Z"


A = "memories.alice"


@pytest.mark.parametrize(("route", "params", "needle"), [
    ("/v1/as-of", {"namespace": A, "at": "yesterday"},
     "at must be an ISO 8601 date or date-time"),
    ("/v1/as-of", {"namespace": A, "at": ""}, "at must be an ISO 8601"),
    ("/v1/as-of", {"namespace": A}, '["query","at"],"msg":"Field required"'),
    ("/v1/as-of", {"namespace": "memories/alice", "at": "2024-05-01"}, "joined by '.'"),
    ("/v1/as-of", {"namespace": A, "at": "2024-05-01", "limit": 0}, "limit"),
    ("/v1/as-of/k", {"namespace": A, "at": "2024-05-01T25:00"}, "at must be"),
    ("/v1/as-of/k", {"at": "2024-05-01"}, '["query","namespace"],"msg":"Field required"'),
    ("/v1/changes", {"namespace": A, "since": "2024-06-01", "until": "2024-05-01"},
     "since (2024-06-01T00:00:00+00:00) is later than until (2024-05-01T00:00:00+00:00)"),
    ("/v1/changes", {"namespace": A, "since": "2024-06-01", "until": "soon"}, "until must be"),
    ("/v1/changes", {"namespace": A, "until": "2024-06-01"},
     '["query","since"],"msg":"Field required"'),
])
async def test_bad_input_is_a_422_that_says_what_to_fix(client, route, params, needle):
    response = await client.get(route, params=params)
    assert response.status_code == 422, response.text
    assert needle in response.text, response.text


async def test_a_memory_that_did_not_exist_then_is_a_404_saying_so(client):
    await write(client, "POST", "k", "v")
    response = await item_as_of(client, "k", "2001-01-01")
    assert response.status_code == 404
    assert "no memory with key 'k' in namespace 'memories.alice' at 2001-01-01" in \
        response.json()["detail"]
    assert (await item_as_of(client, "never", "2999-01-01")).status_code == 404


async def test_forgetting_a_namespace_forgets_its_past_too(client):
    await write(client, "POST", "k", "v")
    await write(client, "PUT", "k", "w")
    [made, _] = await changes_of(client, "k")
    assert len(await as_of(client, date(made))) == 1
    forgot = await client.post("/v1/forget", json={"namespace_prefix": NS})
    assert forgot.status_code == 200, forgot.text
    assert await as_of(client, date(made)) == []
    assert await as_of(client, "2999-01-01") == []
    assert await changed(client, "2000-01-01", "2999-01-01") == []


async def test_a_key_reads_only_the_past_of_what_it_may_read(keyed):  # noqa: F811
    admin = bearer(ADMIN_KEY)
    for user in ("alice", "bob"):
        made = await keyed.post("/v1/memories", headers=admin, json={
            "namespace": ["memories", user], "key": "k", "content": f"{user}'s"})
        assert made.status_code == 201
    alice = bearer(await create_key(keyed, "alice", read=[NS]))
    page = await keyed.get("/v1/as-of", headers=alice, params={"namespace": "memories",
                                                               "at": "2999-01-01"})
    assert [i["namespace"] for i in page.json()["items"]] == [NS]  # narrowed to the grant
    nets = await keyed.get("/v1/changes", headers=alice, params={"since": "2000-01-01"})
    assert [c["namespace"] for c in nets.json()["changes"]] == [NS]
    bobs = await keyed.get("/v1/as-of", headers=alice, params={"namespace": "memories.bob",
                                                               "at": "2999-01-01"})
    assert bobs.status_code == 200 and bobs.json()["items"] == []
    one = await keyed.get("/v1/as-of/k", headers=alice, params={"namespace": "memories.bob",
                                                               "at": "2999-01-01"})
    assert one.status_code == 403 and "may not read namespace 'memories.bob'" in one.text


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00"])
async def test_times_at_the_ends_of_the_calendar_answer(client, at):
    await write(client, "POST", "k", "v")
    expected = 1 if at.startswith("9999") else 0
    assert len(await as_of(client, at)) == expected
    assert len(await changed(client, "2000-01-01" if expected else at, at)) == expected
