"""Forget erases the Idempotency-Key records naming its prefix (label by label) and those
whose namespaces are unknown, in flight or answered: a retry then runs again."""

import asyncio

from app.limits.idempotency import HEADER
from tests.limits.test_idempotency_records import Counting, wrapped

ALICE = ("memories", "alice")


def create(client, key: str, namespace: list[str]):
    return client.post("/v1/memories", json={"namespace": namespace, "content": "x"},
                       headers={HEADER: key})


async def stored(app) -> dict[str, list[str] | None]:
    async with app.state.runtime.pool.connection() as conn:
        cur = await conn.execute("SELECT key, namespaces FROM idempotency_keys")
        return {r["key"]: r["namespaces"] for r in await cur.fetchall()}


async def test_forget_erases_the_replays_under_its_prefix_and_the_unknown_ones(app):
    inner = Counting()
    forget = app.state.runtime.forget
    async with wrapped(app, inner) as client:
        await create(client, "alice", [*ALICE])
        await create(client, "alice-work", [*ALICE, "work"])
        await create(client, "alice2", ["memories", "alice2"])
        await client.post("/v1/memories/batch", headers={HEADER: "batch"}, json={"items": [
            {"namespace": ["memories", "bob"]}, {"namespace": [*ALICE]}]})
        await client.post("/v1/memories", content=b"not json", headers={HEADER: "garbled"})
        assert await stored(app) == {
            "alice": ["memories.alice"], "alice-work": ["memories.alice.work"],
            "alice2": ["memories.alice2"], "batch": ["memories.alice", "memories.bob"],
            "garbled": None}

        assert (await forget.forget(ALICE, dry_run=True))["replays"] == 4
        assert len(await stored(app)) == 5
        assert (await forget.forget(ALICE))["replays"] == 4
        assert list(await stored(app)) == ["alice2"]

        runs = inner.runs
        again = await create(client, "alice", [*ALICE])
        assert "idempotent-replayed" not in again.headers and inner.runs == runs + 1
        replayed = await create(client, "alice2", ["memories", "alice2"])
        assert replayed.headers["idempotent-replayed"] == "true" and inner.runs == runs + 1


async def test_a_forget_while_the_request_runs_leaves_no_answer_to_replay(app):
    inner = Counting()
    inner.release = asyncio.Event()
    async with wrapped(app, inner) as client:
        first = asyncio.create_task(create(client, "k", [*ALICE]))
        await inner.entered.wait()
        assert (await app.state.runtime.forget.forget(ALICE))["replays"] == 1
        inner.release.set()
        assert (await first).status_code == 201
        assert await stored(app) == {}  # the answer came after the forget: not kept
        assert "idempotent-replayed" not in (await create(client, "k", [*ALICE])).headers
    assert inner.runs == 2


async def test_a_success_names_the_namespace_its_request_left_to_the_identity(app):
    """{user_id} filled by the API key's identity: unknown in flight, then the answer's."""

    async def extraction(scope, receive, send) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body",
                    "body": b'{"namespace": ["memories", "alice"], "created": []}'})

    async with wrapped(app, extraction) as client:
        await client.post("/v1/extract", headers={HEADER: "x"}, json={
            "messages": [{"role": "user", "content": "hi"}],
            "namespace": ["memories", "{user_id}"]})
    assert await stored(app) == {"x": ["memories.alice"]}
    assert (await app.state.runtime.forget.forget(("memories", "bob")))["replays"] == 0
    assert (await app.state.runtime.forget.forget(ALICE))["replays"] == 1
