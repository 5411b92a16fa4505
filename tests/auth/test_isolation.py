"""Two keys with disjoint grants: every route and method is tried across the boundary, and
nothing of the other side is read, listed, searched, changed or even shown to exist.

The intruder holds grants on look-alike labels: memories.alice2 (a longer label),
memories.a% and memories.al_ce (LIKE wildcards), memories.* (a glob): all plain text."""

import json
from typing import Any

import pytest

from tests.auth.conftest import ADMIN_KEY, bearer, create_key

LOOKALIKES = [["memories", "alice2"], ["memories", "a%"], ["memories", "al_ce"],
              ["memories", "*"]]
ALICE = ["memories", "alice"]
PUBLIC = {("GET", "/livez"), ("GET", "/readyz"), ("GET", "/metrics"), ("GET", "/ui"),
          ("GET", "/ui/{path}")}
EXTRACT = {"messages": [{"role": "user", "content": "I moved to Porto"}]}


@pytest.fixture
async def sides(keyed):
    alice = await create_key(keyed, "alice", identity="alice", write=[ALICE])
    intruder = await create_key(keyed, "intruder", identity="bob", write=LOOKALIKES)
    admin = bearer(ADMIN_KEY)
    for ns in [ALICE, *LOOKALIKES]:
        made = await keyed.post("/v1/memories", headers=admin, json={
            "namespace": ns, "key": "k1", "content": f"Lisbon trip in May ({ns[1]})"})
        assert made.status_code == 201, made.text
    job = await keyed.post("/v1/jobs/extract", headers=bearer(alice), json={
        **EXTRACT, "namespace": ["memories", "{user_id}"], "thread_id": "t-alice",
        "after_seconds": 3600})
    assert job.status_code == 202, job.text
    run = await keyed.post("/threads/t-run/runs", headers=bearer(alice), json={
        "assistant_id": "memory", "input": EXTRACT, "if_not_exists": "create",
        "after_seconds": 3600})
    assert run.status_code == 200, run.text
    history = await keyed.get("/v1/history", headers=admin,
                              params={"namespace": "memories.alice", "key": "k1"})
    return {"alice": alice, "intruder": intruder, "job": job.json()["id"],
            "run": run.json()["run_id"], "change": history.json()["changes"][0]["id"]}


NO_ID = "00000000-0000-0000-0000-000000000000"


def leaks(body: Any) -> bool:
    """Does an answer show anything of alice's namespace?"""
    text = json.dumps(body)
    return '"alice"' in text or "(alice)" in text or "memories.alice\"" in text


async def test_nothing_crosses_the_boundary(keyed, sides):
    intruder = bearer(sides["intruder"])
    job, run, change = sides["job"], sides["run"], sides["change"]
    tool = {"name": "search_memory", "arguments": {"query": "Lisbon"}}
    ns_q = {"namespace": "memories.alice"}
    line = json.dumps({"namespace": ALICE, "key": "k1", "value": {"content": "overwritten"}})
    # (method, route template, url, params, json, statuses that do not leak)
    cases = [
        ("POST", "/v1/memories", "/v1/memories", None,
         {"namespace": ALICE, "key": "k2", "content": "x"}, {403}),
        ("POST", "/v1/memories/batch", "/v1/memories/batch", None,
         {"items": [{"namespace": ["memories", "alice2"], "content": "fine"},
                    {"namespace": ALICE, "content": "not fine"}]}, {403}),
        ("GET", "/v1/memories", "/v1/memories", ns_q, None, {403}),
        ("GET", "/v1/memories/{key}", "/v1/memories/k1", ns_q, None, {403}),
        ("PUT", "/v1/memories/{key}", "/v1/memories/k1", ns_q, {"content": "x"}, {403}),
        ("DELETE", "/v1/memories/{key}", "/v1/memories/k1", ns_q, None, {403}),
        ("POST", "/v1/search", "/v1/search", None,
         {"query": "Lisbon", "namespace_prefix": ALICE}, {200}),
        ("POST", "/v1/search", "/v1/search", None, {"query": "Lisbon"}, {403}),
        ("GET", "/v1/namespaces", "/v1/namespaces", None, None, {200}),
        ("GET", "/v1/namespaces", "/v1/namespaces", {"prefix": "memories.*"}, None, {200}),
        ("GET", "/v1/history", "/v1/history", {**ns_q, "key": "k1"}, None, {403}),
        ("GET", "/v1/history/{change_id}", f"/v1/history/{change}", None, None, {404}),
        ("GET", "/v1/as-of", "/v1/as-of", {**ns_q, "at": "2999-01-01"}, None, {200}),
        ("GET", "/v1/as-of", "/v1/as-of", {"at": "2999-01-01"}, None, {403}),
        ("GET", "/v1/as-of/{key}", "/v1/as-of/k1", {**ns_q, "at": "2999-01-01"}, None, {403}),
        ("GET", "/v1/changes", "/v1/changes", {**ns_q, "since": "2000-01-01"}, None, {200}),
        ("POST", "/v1/history/{change_id}/restore", f"/v1/history/{change}/restore", None,
         None, {404}),
        ("POST", "/v1/extract", "/v1/extract", None, {**EXTRACT, "namespace": ALICE}, {403}),
        ("POST", "/v1/jobs/extract", "/v1/jobs/extract", None,
         {**EXTRACT, "namespace": ["memories", "{user_id}"], "config": {"user_id": "alice"},
          "thread_id": "t"}, {403}),
        ("GET", "/v1/jobs", "/v1/jobs", None, None, {403}),  # several grants: name one
        ("GET", "/v1/jobs", "/v1/jobs", ns_q, None, {200}),
        ("GET", "/v1/jobs/{job_id}", f"/v1/jobs/{job}", None, None, {404}),
        ("POST", "/v1/jobs/{job_id}/cancel", f"/v1/jobs/{job}/cancel", None, None, {404}),
        ("GET", "/v1/jobs/{job_id}/conversation", f"/v1/jobs/{job}/conversation", None, None,
         {404}),
        ("GET", "/v1/whoami", "/v1/whoami", None, None, {200}),  # its own grants only
        ("POST", "/v1/forget", "/v1/forget", None, {"namespace_prefix": ALICE}, {403}),
        ("POST", "/v1/forget", "/v1/forget", None, {"namespace_prefix": ["memories"]}, {403}),
        ("GET", "/v1/export", "/v1/export", {"prefix": "memories.alice"}, None, {200}),
        ("POST", "/v1/import", "/v1/import", None, line, {200}),
        ("GET", "/v1/stats", "/v1/stats", {"prefix": "memories.alice"}, None, {200}),
        ("GET", "/v1/stats/namespaces", "/v1/stats/namespaces",
         {"prefix": "memories.alice"}, None, {200}),
        ("GET", "/v1/tools", "/v1/tools", None, None, {200}),
        ("POST", "/v1/tools/execute", "/v1/tools/execute", None,
         {**tool, "namespace": ALICE}, {403}),
        ("POST", "/v1/tools/execute", "/v1/tools/execute", None,
         {**tool, "config": {"user_id": "alice"}}, {403}),
        ("POST", "/v1/tools/execute", "/v1/tools/execute", None,
         {"name": "manage_memory", "arguments": {"action": "delete", "id": "k1"},
          "namespace": ALICE}, {403}),
        ("GET", "/v1/profiles", "/v1/profiles", None, None, {200}),
        ("POST", "/v1/profiles", "/v1/profiles", None, {"name": "p", "description": "d"},
         {403}),
        ("GET", "/v1/profiles/{name}", "/v1/profiles/memory", None, None, {200}),
        ("PUT", "/v1/profiles/{name}", "/v1/profiles/memory", None,
         {"description": "mine now"}, {403}),
        ("DELETE", "/v1/profiles/{name}", "/v1/profiles/memory", None, None, {403}),
        ("POST", "/v1/keys", "/v1/keys", None, {"name": "x", "admin": True}, {403}),
        ("GET", "/v1/keys", "/v1/keys", None, None, {403}),
        ("DELETE", "/v1/keys/{key_id}", "/v1/keys/00000000-0000-0000-0000-000000000000",
         None, None, {403}),
        # webhooks are admin-only: another key's endpoint or log is not even listed
        ("POST", "/v1/webhooks", "/v1/webhooks", None,
         {"url": "https://hooks.example.com/in", "namespace_prefix": ALICE}, {403}),
        ("GET", "/v1/webhooks", "/v1/webhooks", None, None, {403}),
        ("GET", "/v1/webhooks/{webhook_id}", f"/v1/webhooks/{NO_ID}", None, None, {403}),
        ("PATCH", "/v1/webhooks/{webhook_id}", f"/v1/webhooks/{NO_ID}", None,
         {"enabled": False}, {403}),
        ("DELETE", "/v1/webhooks/{webhook_id}", f"/v1/webhooks/{NO_ID}", None, None, {403}),
        ("GET", "/v1/webhooks/{webhook_id}/deliveries", f"/v1/webhooks/{NO_ID}/deliveries",
         None, None, {403}),
        ("POST", "/v1/webhooks/{webhook_id}/redeliver", f"/v1/webhooks/{NO_ID}/redeliver",
         None, None, {403}),
        ("PUT", "/store/items", "/store/items", None,
         {"namespace": ALICE, "key": "k1", "value": {"x": 1}}, {403}),
        ("GET", "/store/items", "/store/items", {"namespace": "memories.alice", "key": "k1"},
         None, {403}),
        ("DELETE", "/store/items", "/store/items", None, {"namespace": ALICE, "key": "k1"},
         {403}),
        ("POST", "/store/items/search", "/store/items/search", None,
         {"namespace_prefix": ALICE, "query": "Lisbon"}, {200}),
        ("POST", "/store/namespaces", "/store/namespaces", None, {"prefix": ["memories"]},
         {200}),
        ("POST", "/threads/{thread_id}/runs", "/threads/t-run/runs", None,
         {"assistant_id": "memory", "input": EXTRACT}, {404}),
        ("POST", "/runs", "/runs", None,
         {"assistant_id": "memory", "input": EXTRACT,
          "config": {"configurable": {"user_id": "alice"}}}, {403}),
        ("GET", "/threads/{thread_id}/runs", "/threads/t-run/runs", None, None, {404}),
        ("GET", "/threads/{thread_id}/runs/{run_id}", f"/threads/t-run/runs/{run}", None,
         None, {404}),
        ("POST", "/threads/{thread_id}/runs/{run_id}/cancel",
         f"/threads/t-run/runs/{run}/cancel", None, None, {404}),
        ("GET", "/threads/{thread_id}/runs/{run_id}/join", f"/threads/t-run/runs/{run}/join",
         None, None, {404}),
        ("GET", "/threads/{thread_id}", "/threads/t-run", None, None, {404}),
        ("PATCH", "/threads/{thread_id}", "/threads/t-run", None,
         {"metadata": {"user_id": "bob"}}, {404}),
        # thread ids are per key: alice's id is a new, empty thread of the intruder's
        ("POST", "/threads", "/threads", None, {"thread_id": "t-run"}, {200}),
        ("POST", "/threads", "/threads", None, {"thread_id": "t-run", "if_exists":
                                               "do_nothing"}, {200}),
        ("GET", "/threads/{thread_id}/runs", "/threads/t-run/runs", None, None, {200}),
        ("POST", "/threads/{thread_id}/runs", "/threads/t-run/runs", None,
         {"assistant_id": "memory", "input": EXTRACT, "if_not_exists": "create"}, {403}),
    ]
    failures = []
    for method, _, url, params, body, expected in cases:
        kwargs: dict[str, Any] = {"params": params, "headers": intruder}
        if isinstance(body, str):
            kwargs["content"] = body
        elif body is not None:
            kwargs["json"] = body
        response = await keyed.request(method, url, **kwargs)
        answer = response.json() if "json" in response.headers.get("content-type", "") \
            and response.content \
            else response.text
        if response.status_code not in expected or leaks(answer):
            failures.append(f"{method} {url} {params or ''} -> {response.status_code} "
                            f"{str(answer)[:200]}")
    assert not failures, "\n".join(failures)

    # every route the API serves was tried (a new route needs a case here)
    tried = {(m, t) for m, t, *_ in cases}
    served = {(m.upper(), path) for path, ops in keyed.app.openapi()["paths"].items()
              for m in ops}
    assert served - tried - PUBLIC == set()

    # alice's side is exactly as it was; the intruder's own side still works
    admin = bearer(ADMIN_KEY)
    mine = await keyed.get("/v1/memories/k1", headers=admin, params=ns_q)
    assert mine.json()["value"]["content"] == {"content": "Lisbon trip in May (alice)"}
    listed = await keyed.get("/v1/memories", headers=admin, params=ns_q)
    assert [m["key"] for m in listed.json()["items"]] == ["k1"]
    assert (await keyed.get(f"/v1/jobs/{job}", headers=admin)).json()["status"] == "queued"
    alices = await keyed.get("/threads/t-run/runs", headers=bearer(sides["alice"]))
    assert [(r["run_id"], r["status"]) for r in alices.json()] == [(run, "pending")]
    found = await keyed.post("/v1/search", headers=intruder, json={
        "query": "Lisbon", "namespace_prefix": ["memories", "alice2"]})
    assert [i["namespace"] for i in found.json()["items"]] == [["memories", "alice2"]]


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword"])
async def test_a_single_grant_narrows_a_broad_search_in_every_mode(keyed, sides, mode):
    key = await create_key(keyed, "alice2 only", read=[["memories", "alice2"]])
    for prefix in ([], ["memories"]):
        found = await keyed.post("/v1/search", headers=bearer(key), json={
            "query": "Lisbon trip", "namespace_prefix": prefix, "mode": mode})
        assert [i["namespace"] for i in found.json()["items"]] == [["memories", "alice2"]]
    listed = await keyed.get("/v1/namespaces", headers=bearer(key))
    assert listed.json()["namespaces"] == [["memories", "alice2"]]
    read_only = await keyed.post("/v1/memories", headers=bearer(key), json={
        "namespace": ["memories", "alice2"], "content": "x"})
    assert read_only.status_code == 403
