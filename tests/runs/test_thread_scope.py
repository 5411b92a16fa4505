"""Thread ids are per API key: two keys' "t1" are two threads, created atomically with their
runs, and nothing of one key's thread (not even that it exists) reaches another key."""

import asyncio
import hashlib

import httpx

from tests.auth import conftest as auth
from tests.auth.conftest import ADMIN_KEY, bearer

keyed = auth.keyed  # the app that needs API keys, as a fixture of this module

PAIRS = 25  # concurrent pairs of runs on one new thread id; the race won 40 of 40 before
RUN = {"assistant_id": "memory", "if_not_exists": "create", "after_seconds": 3600,
       "input": {"messages": [{"role": "user", "content": "I moved to Porto"}]}}


async def make_key(client: httpx.AsyncClient, name: str, *, identity: str | None = None,
                   write: list[str]) -> tuple[dict[str, str], str]:
    """(its auth headers, its id)"""
    made = await client.post("/v1/keys", headers=bearer(ADMIN_KEY), json={
        "name": name, "identity": identity, "grants": [{"prefix": write, "access": "write"}]})
    assert made.status_code == 201, made.text
    return bearer(made.json()["key"]), made.json()["id"]


def run_on(namespace: list[str], strategy: str = "rollback", *texts: str, **extra) -> dict:
    """A run body; `texts`, when given, are the conversation (user and assistant turns)."""
    body = {**RUN, "config": {"configurable": {"namespace": namespace}},
            "multitask_strategy": strategy, **extra}
    if texts:
        roles = ("user", "assistant")
        body["input"] = {"messages": [{"role": roles[i % 2], "content": t}
                                      for i, t in enumerate(texts)]}
    return body


async def test_two_keys_racing_on_one_new_thread_id_each_get_their_own_thread(keyed):
    alice, _ = await make_key(keyed, "alice", identity="alice", write=["memories", "alice"])
    bob, _ = await make_key(keyed, "bob", identity="bob", write=["memories", "bob"])
    body = run_on(["memories", "{user_id}"])
    sides = [(alice, "alice"), (bob, "bob")]
    answers = await asyncio.gather(*[
        keyed.post(f"/threads/race-{i}/runs", headers=key, json=body)
        for i in range(PAIRS) for key, _ in sides])
    assert [a.status_code for a in answers] == [200] * (2 * PAIRS), \
        [a.text for a in answers if a.status_code != 200][:3]
    runs = [a.json() for a in answers]
    for i in range(PAIRS):
        thread = f"race-{i}"
        mine = dict(zip(("alice", "bob"), runs[2 * i: 2 * i + 2], strict=True))
        for (key, who), other in zip(sides, ("bob", "alice"), strict=True):
            assert mine[who]["thread_id"] == thread
            assert mine[who]["namespace"] == ["memories", who]
            listed = (await keyed.get(f"/threads/{thread}/runs", headers=key)).json()
            assert [r["run_id"] for r in listed] == [mine[who]["run_id"]]
            own = await keyed.get(f"/threads/{thread}/runs/{mine[who]['run_id']}", headers=key)
            assert own.status_code == 200 and own.json()["status"] == "pending"
            theirs = await keyed.get(f"/threads/{thread}/runs/{mine[other]['run_id']}",
                                     headers=key)
            assert theirs.status_code == 404
            assert (await keyed.get(f"/threads/{thread}", headers=key)).json()["status"] \
                == "busy"


async def test_another_keys_thread_id_is_a_new_thread_of_the_caller(keyed):
    alice, _ = await make_key(keyed, "alice", identity="alice", write=["memories", "alice"])
    bob, _ = await make_key(keyed, "bob", identity="bob", write=["memories", "bob"])
    made = await keyed.post("/threads", headers=alice, json={
        "thread_id": "t1", "metadata": {"topic": "travel"}})
    assert made.status_code == 200, made.text
    # no 409 and no "belongs to another key": bob's t1 is his own, empty, thread
    bobs = await keyed.post("/threads", headers=bob, json={"thread_id": "t1"})
    assert bobs.status_code == 200, bobs.text
    assert bobs.json()["thread_id"] == "t1" and bobs.json()["metadata"] == {}
    again = await keyed.post("/threads", headers=bob, json={"thread_id": "t1"})
    assert again.status_code == 409  # his own thread exists now
    patched = await keyed.patch("/threads/t1", headers=bob, json={"metadata": {"topic": "pets"}})
    assert patched.json()["metadata"] == {"topic": "pets"}
    assert (await keyed.get("/threads/t1", headers=alice)).json()["metadata"] == \
        {"topic": "travel"}
    # each run fills {topic} from its own key's thread
    template = ["memories", "{user_id}", "{topic}"]
    for key, expected in ((alice, ["memories", "alice", "travel"]),
                          (bob, ["memories", "bob", "pets"])):
        run = await keyed.post("/threads/t1/runs", headers=key, json=run_on(template))
        assert run.status_code == 200, run.text
        assert run.json()["namespace"] == expected and run.json()["thread_id"] == "t1"
    # a run on alice's id by a third key: 404 as for any missing thread, or its own new one
    carol, _ = await make_key(keyed, "carol", identity="carol", write=["memories", "carol"])
    refused = await keyed.post("/threads/t1/runs", headers=carol,
                               json=run_on(["memories", "{user_id}"], if_not_exists="reject"))
    assert refused.status_code == 404
    assert refused.json()["detail"].startswith("thread 't1' not found")
    assert "another" not in refused.json()["detail"]
    created = await keyed.post("/threads/t1/runs", headers=carol,
                               json=run_on(["memories", "{user_id}"]))
    assert created.status_code == 200 and created.json()["namespace"] == ["memories", "carol"]
    assert len((await keyed.get("/threads/t1/runs", headers=carol)).json()) == 1
    assert len((await keyed.get("/threads/t1/runs", headers=alice)).json()) == 1
    # admin keys (and open access) have a scope of their own
    admin = bearer(ADMIN_KEY)
    assert (await keyed.get("/threads/t1", headers=admin)).status_code == 404
    assert (await keyed.post("/threads", headers=admin, json={"thread_id": "t1"})
            ).status_code == 200


async def test_two_keys_runs_on_one_thread_id_into_one_namespace_never_replace_each_other(
        keyed):
    shared = ["shared"]
    one, one_id = await make_key(keyed, "one", write=shared)
    two, _ = await make_key(keyed, "two", write=shared)
    # each key's conversation grows, so that a newer run is a newer snapshot of it
    first = (await keyed.post("/threads/t1/runs", headers=one,
                              json=run_on(shared, "rollback", "a"))).json()
    # two's reject sees none of one's unfinished runs, and two's rollback replaces none of them
    rejected = await keyed.post("/threads/t1/runs", headers=two,
                                json=run_on(shared, "reject", "b"))
    assert rejected.status_code == 200, rejected.text
    replaced = (await keyed.post("/threads/t1/runs", headers=two,
                                 json=run_on(shared, "rollback", "b", "ok", "b2"))).json()
    ones = await keyed.get(f"/threads/t1/runs/{first['run_id']}", headers=one)
    assert ones.json()["status"] == "pending" and ones.json()["superseded_by"] is None
    # within one key the thread still debounces
    again = (await keyed.post("/threads/t1/runs", headers=one,
                              json=run_on(shared, "rollback", "a", "ok", "a2"))).json()
    ones = (await keyed.get("/threads/t1/runs", headers=one)).json()
    assert [(r["run_id"], r["status"]) for r in ones] == [
        (again["run_id"], "pending"), (first["run_id"], "interrupted")]
    twos = (await keyed.get("/threads/t1/runs", headers=two)).json()
    assert [(r["run_id"], r["status"]) for r in twos] == [
        (replaced["run_id"], "pending"), (rejected.json()["run_id"], "interrupted")]
    conflict = await keyed.post("/threads/t1/runs", headers=one,
                                json=run_on(shared, "reject", "a", "ok", "a2", "ok", "a3"))
    assert conflict.status_code == 409
    assert "'t1'" in conflict.json()["detail"] and one_id not in conflict.json()["detail"]
    # the run's job carries the key-scoped thread key
    job = (await keyed.get(f"/v1/jobs/{again['run_id']}", headers=one)).json()
    assert job["thread_id"] == f"{one_id}/t1"


async def test_a_long_thread_id_gets_a_digest_job_key_and_a_too_long_one_a_422(keyed):
    alice, alice_id = await make_key(keyed, "alice", identity="alice",
                                     write=["memories", "alice"])
    body = run_on(["memories", "{user_id}"])
    longest = "x" * 256
    run = await keyed.post(f"/threads/{longest}/runs", headers=alice, json=body)
    assert run.status_code == 200, run.text
    assert run.json()["thread_id"] == longest
    job = (await keyed.get(f"/v1/jobs/{run.json()['run_id']}", headers=alice)).json()
    assert job["thread_id"] == f"{alice_id}/sha256:{hashlib.sha256(longest.encode()).hexdigest()}"
    too_long = await keyed.post(f"/threads/{longest}y/runs", headers=alice, json=body)
    assert too_long.status_code == 422
    assert too_long.json()["detail"] == "thread_id has 257 characters; at most 256"
