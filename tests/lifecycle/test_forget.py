"""Forget erases a prefix from every table and every door, and nothing else."""

import asyncio

import psycopg
import pytest

from app.limits.idempotency import HEADER
from tests.jobs.test_background import FACT, job_request, wait_for

ALICE = ["memories", "alice"]
# Idempotency-Key requests: their first answers are kept for replay
CREATE_V1 = {"namespace": ALICE, "key": "v1", "content": "Alice likes green tea"}
NEIGHBOUR = {"namespace": ["memories", "alice2"], "content": "Alice2 likes coffee"}


async def seed(client, llm):
    """alice's memories through every kind of write, plus neighbours that must survive."""
    await client.post("/v1/memories", json=CREATE_V1, headers={HEADER: "create-v1"})
    await client.put("/v1/memories/v1", params={"namespace": "memories.alice"},
                     json={"content": "Alice likes black tea"})
    await client.post("/v1/memories", json={"namespace": [*ALICE, "work"],
                                            "content": "Alice works at Acme"})
    await client.put("/store/items", json={"namespace": ALICE, "key": "s",
                                           "value": {"content": "Alice lives in Porto"}})
    llm.script(FACT)
    done = (await client.post("/v1/jobs/extract", json=job_request("I like dogs"),
                              headers={HEADER: "job-1"})).json()
    await wait_for(client, done["id"], "succeeded")
    # a job still waiting: forgetting must cancel it, or it would write alice back
    llm.script(FACT)
    await client.post("/v1/jobs/extract", json=job_request("more", thread="later", after=3))
    for ns in (["memories", "alice2"], ["memories", "bob"]):
        await client.post("/v1/memories", json={"namespace": ns, "key": "n",
                                                "content": "Alice likes green tea"})
    await client.post("/v1/memories", json=NEIGHBOUR, headers={HEADER: "neighbour"})
    # a body that names no namespace: its replay could show anything, so any forget erases it
    await client.post("/v1/memories", content=b"Alice likes green tea",
                      headers={HEADER: "garbled", "content-type": "application/json"})


def rows(url: str, table: str, column: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE {column} = 'memories.alice' "
                            f"OR {column} LIKE 'memories.alice.%'").fetchone()[0]


def idempotency_keys(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT key FROM idempotency_keys ORDER BY key")]


async def test_forget_erases_every_table_and_every_door(extract_client, llm, database_url):
    client = extract_client
    await seed(client, llm)
    dry = (await client.post("/v1/forget", json={"namespace_prefix": ALICE,
                                                 "dry_run": True})).json()
    assert dry == {"dry_run": True, "removed": {"items": 4, "vectors": 4, "history": 5,
                                                "jobs": 2, "replays": 3}}
    assert rows(database_url, "store", "prefix") == 4  # a dry run removes nothing
    assert idempotency_keys(database_url) == ["create-v1", "garbled", "job-1", "neighbour"]

    result = (await client.post("/v1/forget", json={"namespace_prefix": ALICE})).json()
    assert result["removed"] == dry["removed"]
    for table, column in (("store", "prefix"), ("store_vectors", "prefix"),
                          ("memory_history", "prefix"), ("extraction_jobs", "namespace")):
        assert rows(database_url, table, column) == 0, table
    assert idempotency_keys(database_url) == ["neighbour"]

    q = {"namespace": "memories.alice"}
    assert (await client.get("/v1/memories/v1", params=q)).status_code == 404
    assert (await client.get("/v1/memories", params=q)).json()["items"] == []
    assert (await client.get("/v1/history", params={**q, "key": "v1"})).json()["changes"] == []
    assert (await client.get("/store/items", params={**q, "key": "s"})).json() is None
    for path, body in (("/v1/search", {"query": "Alice", "namespace_prefix": ["memories"]}),
                       ("/store/items/search", {"query": "tea",
                                                "namespace_prefix": ["memories"]})):
        found = (await client.post(path, json={**body, "limit": 50})).json()["items"]
        assert {tuple(i["namespace"]) for i in found} == {("memories", "alice2"),
                                                          ("memories", "bob")}
    namespaces = (await client.get("/v1/namespaces")).json()["namespaces"]
    assert namespaces == [["memories", "alice2"], ["memories", "bob"]]
    assert (await client.get("/v1/export", params={"prefix": "memories.alice"})).text == ""
    assert (await client.get("/v1/jobs", params={"namespace": "memories.alice"})
            ).json()["jobs"] == []
    stats = (await client.get("/v1/stats", params={"prefix": "memories.alice"})).json()
    assert stats["memories"] == 0 and stats["vectors"] == 0 and stats["jobs"] == {}

    await asyncio.sleep(3.5)  # past the cancelled job's due time
    assert llm.calls == 1
    assert rows(database_url, "store", "prefix") == 0

    # Idempotency-Key: a retry runs again (writing anew) instead of replaying the forgotten
    # answer; the neighbour's replay is untouched
    retried = await client.post("/v1/memories", json=CREATE_V1, headers={HEADER: "create-v1"})
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers
    kept = await client.post("/v1/memories", json=NEIGHBOUR, headers={HEADER: "neighbour"})
    assert kept.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize("prefix, fragment", [([], "at least 1 item"),
                                              (["a.b"], "contains '.'")])
async def test_forget_needs_a_valid_prefix(client, prefix, fragment):
    response = await client.post("/v1/forget", json={"namespace_prefix": prefix})
    assert response.status_code == 422
    assert fragment in str(response.json()["detail"])
