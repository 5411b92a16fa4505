"""Three `memory-service serve` processes on one database, as behind a load balancer:
revocation and Idempotency-Key replays hold across replicas, a key's rate limit is one bucket
for all of them, and a replica SIGKILLed mid-load and mid-job loses no acknowledged write or
delete and runs every extraction job exactly once (its jobs go to the others).

The three servers start once for the module (~20 s on two cores), and the kill comes last."""

import asyncio
import re
import time
import uuid

import httpx
import psycopg
import pytest

from tests.conftest import fresh_database
from tests.fakes.llm_server import Delay, user_text
from tests.replicas.cluster import cluster
from tests.replicas.load import Ledger, RoundRobin, worker

ADMIN = {"authorization": "Bearer replica-admin-secret"}
PER_MINUTE, BURST = 600, 100
ENV = {"ADMIN_API_KEY": "replica-admin-secret", "RATE_LIMIT_PER_MINUTE": str(PER_MINUTE),
       "RATE_LIMIT_BURST": str(BURST), "EXTRACTION_CONCURRENCY": "2",
       "SHUTDOWN_GRACE_SECONDS": "2",
       # above any event-loop stall of a loaded test machine: a live worker is never taken
       # for dead (its job would then run twice, though applied once)
       "JOB_STALLED_AFTER_SECONDS": "5"}
WORKERS, JOBS = 4, 8
OURS = "namespace = 'memories.jobs'"  # the kill test's jobs (not the debounce test's)


@pytest.fixture(scope="module")
def replica_db(pg_admin_url, template_db):
    with fresh_database(pg_admin_url, template_db) as url:
        yield url


@pytest.fixture(scope="module")
def replicas(replica_db):
    with cluster(replica_db, 3, ENV) as replicas:
        yield replicas


def create_key(url: str, name: str) -> dict:
    made = httpx.post(f"{url}/v1/keys", headers=ADMIN, json={
        "name": name, "grants": [{"prefix": ["memories"], "access": "write"}]})
    assert made.status_code == 201, made.text
    return made.json()


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def test_a_key_revoked_through_one_replica_is_refused_by_every_replica_at_once(replicas):
    made = create_key(replicas[0].url, "soon revoked")
    for replica in replicas:
        assert httpx.get(f"{replica.url}/v1/memories", params={"namespace": "memories.r"},
                         headers=bearer(made["key"])).status_code == 200
    revoked = httpx.delete(f"{replicas[1].url}/v1/keys/{made['id']}", headers=ADMIN)
    assert revoked.status_code == 200, revoked.text
    for replica in replicas:  # no replica caches keys: the very next request is refused
        refused = httpx.get(f"{replica.url}/v1/memories", params={"namespace": "memories.r"},
                            headers=bearer(made["key"]))
        assert refused.status_code == 401, refused.text


def test_an_idempotency_key_replays_through_another_replica(replicas):
    key = create_key(replicas[0].url, "idempotent")["key"]
    body = {"namespace": ["memories", "idem"], "content": "User retries politely"}
    headers = {**bearer(key), "Idempotency-Key": "retry-1"}
    first = httpx.post(f"{replicas[0].url}/v1/memories", json=body, headers=headers)
    assert first.status_code == 201, first.text
    for replica in replicas[1:]:
        again = httpx.post(f"{replica.url}/v1/memories", json=body, headers=headers)
        assert (again.status_code, again.json()) == (201, first.json())
        assert again.headers["idempotent-replayed"] == "true"
    listed = httpx.get(f"{replicas[2].url}/v1/memories", params={"namespace": "memories.idem"},
                       headers=bearer(key)).json()["items"]
    assert [m["key"] for m in listed] == [first.json()["key"]]


async def test_a_keys_rate_limit_holds_across_replicas(replicas):
    headers = bearer(f"unknown-{uuid.uuid4()}")  # any key has a bucket; auth comes after
    gate = asyncio.Semaphore(12)

    async def one(client: httpx.AsyncClient, url: str) -> int:
        async with gate:
            return (await client.get(f"{url}/v1/memories", params={"namespace": "memories.x"},
                                     headers=headers)).status_code

    async with httpx.AsyncClient(timeout=30) as client:
        started = time.monotonic()
        statuses = await asyncio.gather(*(one(client, replicas[i % 3].url)
                                          for i in range(3 * BURST)))
        seconds = time.monotonic() - started
    allowed = sum(s != 429 for s in statuses)
    # one bucket: the burst and the tokens refilled meanwhile, whichever replica answered
    # (counted per process, each replica would let its own burst through: 3 x BURST)
    assert BURST <= allowed <= BURST + PER_MINUTE / 60 * seconds + 1, (allowed, seconds)


def fact_for(body: dict) -> Delay:
    # the conversation's marker (the prompt also lists memories earlier jobs stored)
    marker = re.search(r"remember (marker-\d+)", user_text(body)).group(1)
    return Delay(0.5, then={"operations": [{"action": "insert", "kind": "Memory",
                                            "content": {"content": f"fact of {marker}"}}]})


def rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


async def until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.1)


async def test_the_debounce_per_thread_holds_across_replicas(replicas, replica_db):
    for replica in replicas:
        replica.llm.reset()
        replica.llm.script(default=fact_for)
    key = create_key(replicas[0].url, "debounce")["key"]
    said = [{"role": "user", "content": "remember marker-100"}]
    ids = []
    async with httpx.AsyncClient(headers=bearer(key), timeout=30) as client:
        for i, replica in enumerate(replicas):  # the conversation grows, one replica each
            if i:
                said = [*said, {"role": "assistant", "content": "noted"},
                        {"role": "user", "content": f"and marker-{100 + i}"}]
            submitted = await client.post(f"{replica.url}/v1/jobs/extract", json={
                "messages": said, "namespace": ["memories", "debounce"],
                "thread_id": "one-thread", "after_seconds": 3})
            assert submitted.status_code == 202, submitted.text
            ids.append(submitted.json()["id"])
    query = ("SELECT id::text, status, superseded_by::text FROM extraction_jobs "
             "WHERE thread_id = 'one-thread' ORDER BY created_at")
    await until(lambda: all(s not in ("queued", "running") for _, s, _ in rows(
        replica_db, query)), 30, "the thread's last job did not finish")
    assert rows(replica_db, query) == [(ids[0], "cancelled", ids[1]),
                                       (ids[1], "cancelled", ids[2]),
                                       (ids[2], "succeeded", None)]
    assert sum(r.llm.calls for r in replicas) == 1  # one model call for the thread


async def test_a_replica_killed_mid_load_and_mid_job_loses_nothing_and_runs_jobs_once(
        replicas, replica_db):
    victim, survivors = replicas[2], replicas[:2]
    for replica in replicas:
        replica.llm.reset()
    victim.llm.script(default=Delay(600))  # its model calls hang: it dies mid-job
    for replica in survivors:
        replica.llm.script(default=fact_for)
    keys = [create_key(replicas[0].url, f"load {i}")["key"] for i in range(WORKERS + 1)]
    ledger, stop, servers = Ledger(), asyncio.Event(), RoundRobin(replicas)
    load = [asyncio.create_task(worker(f"w{i}", keys[i], servers, ledger, stop))
            for i in range(WORKERS)]
    jobs = []
    async with httpx.AsyncClient(headers=bearer(keys[-1]), timeout=30) as client:
        for j in range(JOBS):
            submitted = await client.post(f"{replicas[j % 3].url}/v1/jobs/extract", json={
                "messages": [{"role": "user", "content": f"remember marker-{j}"}],
                "namespace": ["memories", "jobs"], "thread_id": f"t{j}"})
            assert submitted.status_code == 202, submitted.text
            jobs.append(submitted.json()["id"])
    await until(lambda: victim.llm.in_flight >= 1 and len(ledger.written) >= 20, 30,
                "the victim never took a job, or the load made no progress")
    victim.server.kill()
    written_at_kill = len(ledger.written)
    await asyncio.sleep(2)  # the load goes on, on the survivors
    stop.set()
    await asyncio.gather(*load)

    def finished() -> bool:
        return all(s in ("succeeded", "failed", "cancelled") for (s,) in rows(
            replica_db, f"SELECT status FROM extraction_jobs WHERE {OURS}"))
    await until(finished, 40, "jobs of the killed replica did not finish elsewhere")
    done = rows(replica_db, f"SELECT id::text, status, attempts FROM extraction_jobs WHERE {OURS}")
    assert sorted(j for j, _, _ in done) == sorted(jobs)
    assert {s for _, s, _ in done} == {"succeeded"}, done
    assert any(a >= 2 for _, _, a in done), "no job was killed mid-run"
    history = rows(replica_db, "SELECT job_id::text, count(*) FROM memory_history WHERE "
                               "prefix = 'memories.jobs' GROUP BY job_id")
    assert sorted(history) == sorted((j, 1) for j in jobs)  # each applied exactly once
    logs = [line for r in survivors for line in r.server.output().splitlines()
            if re.search(r"requeue|stalled|retried|interrupted|extraction job", line)]
    assert sum(r.llm.calls for r in survivors) == JOBS, (done, logs)  # and run once

    stored = {(p, k): v["content"]["content"] for p, k, v in rows(
        replica_db, "SELECT prefix, key, value FROM store WHERE prefix LIKE 'memories.w%'")}
    for item, content in ledger.kept().items():
        assert stored.get(item) == content, f"acknowledged write {item} lost"
    assert not ledger.deleted & stored.keys(), "an acknowledged delete came back"
    assert not [s for s in ledger.statuses if s[1] >= 500], ledger.statuses
    assert len(ledger.deleted) >= 3
    assert len(ledger.written) > written_at_kill, "no write was acknowledged after the kill"
