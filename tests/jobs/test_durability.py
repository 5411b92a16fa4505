"""Jobs survive a killed server, run once across processes, and never apply twice."""

import time

import httpx
import psycopg
import pytest

from tests.fakes.llm_server import Delay
from tests.jobs.test_background import FACT, job_request
from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env


@pytest.fixture
def server_env(database_url, llm):
    return live_server_env(database_url, llm)


def wait_for(url: str, job_id: str, status: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = httpx.get(f"{url}/v1/jobs/{job_id}").json()
        if job["status"] == status:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} is {job['status']}, not {status}: {job}")


def wait_until(predicate, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.1)


def history_rows(database_url: str) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT action, source, job_id FROM memory_history").fetchall()


def test_a_job_running_when_the_server_is_killed_runs_again_and_applies_once(
        server_env, llm, database_url):
    llm.script(Delay(60, then=FACT), FACT)  # the first call hangs until the server dies
    with LiveServer.start(server_env) as first:
        job = httpx.post(f"{first.url}/v1/jobs/extract", json=job_request("I like dogs")).json()
        wait_until(lambda: llm.calls == 1)
        first.kill()
    with LiveServer.start(server_env) as second:
        done = wait_for(second.url, job["id"], "succeeded")
    assert done["attempts"] == 2
    assert history_rows(database_url) == [("insert", "extraction", job["id"])]


def test_a_queued_job_survives_a_kill(server_env, llm, database_url):
    llm.script(FACT)
    with LiveServer.start(server_env) as first:
        job = httpx.post(f"{first.url}/v1/jobs/extract",
                         json=job_request("I like dogs", after=1.5)).json()
        first.kill()
    assert llm.calls == 0
    with LiveServer.start(server_env) as second:
        wait_for(second.url, job["id"], "succeeded")
    assert llm.calls == 1
    assert history_rows(database_url) == [("insert", "extraction", job["id"])]


def test_two_processes_share_the_queue_and_run_each_job_once(server_env, llm, database_url):
    llm.script(default=lambda body: {"operations": [{
        "action": "insert", "kind": "Memory",
        "content": {"content": f"fact from {body['messages'][-1]['content'][-40:]}"}}]})
    with LiveServer.start(server_env) as a, LiveServer.start(server_env) as b:
        jobs = [httpx.post(f"{server.url}/v1/jobs/extract",
                           json=job_request(f"thread {i} says hi", thread=f"t{i}")).json()
                for i, server in enumerate([a, b] * 4)]
        for job in jobs:
            wait_for(a.url, job["id"], "succeeded")
    assert llm.calls == len(jobs)
    rows = history_rows(database_url)
    assert sorted(r[2] for r in rows) == sorted(j["id"] for j in jobs)
