"""SIGTERM drains: /readyz turns 503, the worker takes no job, a running job finishes or goes
back to the queue, the process exits within 30 s, and nothing is lost."""

import json
import signal
import subprocess
import time

import httpx
import psycopg
import pytest

from tests.fakes.llm_server import Delay, user_text
from tests.jobs.test_background import job_request
from tests.jobs.test_durability import history_rows, wait_for, wait_until
from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env

EXIT_BOUND_SECONDS = 30  # the one timed promise: an orchestrator's default kill delay


def fact(text: str) -> dict:
    return {"operations": [{"action": "insert", "kind": "Memory",
                            "content": {"content": f"remembered: {text}"}}]}


def fact_from_conversation(body: dict) -> dict:
    """A memory per conversation, so no job's insert is dropped as another's duplicate."""
    said = user_text(body)
    return fact(next(t for t in ("I have a cat", "I live in Lisbon", "I like dogs") if t in said))


@pytest.fixture
def env(database_url, llm):
    # One worker slot, so a second due job can only start if the drain lets it.
    return {**live_server_env(database_url, llm), "EXTRACTION_CONCURRENCY": "1"}


def terminate(server: LiveServer) -> list[httpx.Response]:
    """SIGTERM, then /readyz until the server refuses connections or exits; its answers
    meanwhile. Fails unless the process exits within EXIT_BOUND_SECONDS."""
    server.process.send_signal(signal.SIGTERM)
    answers = []
    deadline = time.monotonic() + EXIT_BOUND_SECONDS
    while server.process.poll() is None and time.monotonic() < deadline:
        try:
            answers.append(httpx.get(f"{server.url}/readyz", timeout=2))
        except httpx.ConnectError:
            break
        except httpx.TransportError:  # cut by a worker as it stops (WORKERS): others answer
            continue
    try:
        server.process.wait(timeout=EXIT_BOUND_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {EXIT_BOUND_SECONDS} s after SIGTERM:\n{server.output()}")
    return answers


def assert_drained_readiness(answers: list[httpx.Response]) -> None:
    statuses = [a.status_code for a in answers]
    assert 503 in statuses, statuses
    first = statuses.index(503)
    assert set(statuses[first:]) == {503}, statuses  # never ready again once draining
    assert answers[first].json()["detail"].startswith("shutting down")


def rows(database_url: str, query: str, *params) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(query, params).fetchall()


def job_state(database_url: str, job_id: str) -> tuple:
    """(our status, attempts, error, procrastinate's status, due now?)"""
    [row] = rows(database_url, """
        SELECT j.status, j.attempts, j.error, q.status::text, q.scheduled_at <= now()
        FROM extraction_jobs j JOIN procrastinate_jobs q ON q.id = j.queue_job_id
        WHERE j.id = %s""", job_id)
    return row


def error_lines(server: LiveServer) -> list[dict]:
    lines = [json.loads(line) for line in server.output().splitlines() if line.strip()]
    return [entry for entry in lines if entry["level"] in ("error", "critical")]


def test_a_running_job_past_the_grace_period_goes_back_to_the_queue_and_runs_after_restart(
        env, llm, database_url):
    llm.script(Delay(60, then=fact("dogs")), default=fact_from_conversation)
    env = {**env, "SHUTDOWN_GRACE_SECONDS": "3"}
    with LiveServer.start(env) as first:
        running = httpx.post(f"{first.url}/v1/jobs/extract",
                             json=job_request("I like dogs")).json()
        wait_until(lambda: llm.calls == 1)
        # due now, but the only slot is busy; and one due in an hour
        due = httpx.post(f"{first.url}/v1/jobs/extract",
                         json=job_request("I have a cat", thread="t2")).json()
        later = httpx.post(f"{first.url}/v1/jobs/extract",
                           json=job_request("I live in Lisbon", thread="t3", after=3600)).json()
        answers = terminate(first)
        assert error_lines(first) == []
    assert_drained_readiness(answers)
    assert llm.calls == 1  # the drain started nothing
    status, attempts, error, queue_status, due_now = job_state(database_url, running["id"])
    assert (status, attempts, queue_status, due_now) == ("queued", 1, "todo", True)
    assert "shutdown" in error
    assert job_state(database_url, due["id"])[:2] == ("queued", 0)
    assert job_state(database_url, later["id"])[:2] == ("queued", 0)
    assert history_rows(database_url) == []  # the interrupted run applied nothing

    with LiveServer.start(env) as second:
        assert wait_for(second.url, running["id"], "succeeded")["attempts"] == 2
        wait_for(second.url, due["id"], "succeeded")
        assert httpx.get(f"{second.url}/v1/jobs/{later['id']}").json()["status"] == "queued"
    assert sorted(r[2] for r in history_rows(database_url)) == sorted([running["id"], due["id"]])
    assert job_state(database_url, later["id"])[3] == "todo"  # kept for its time


def test_a_running_job_within_the_grace_period_finishes_before_exit(env, llm, database_url):
    llm.script(Delay(3, then=fact("dogs")))
    with LiveServer.start({**env, "SHUTDOWN_GRACE_SECONDS": "20"}) as server:
        job = httpx.post(f"{server.url}/v1/jobs/extract",
                         json=job_request("I like dogs")).json()
        wait_until(lambda: llm.calls == 1)
        answers = terminate(server)
        assert error_lines(server) == []
    assert_drained_readiness(answers)
    assert job_state(database_url, job["id"])[:2] == ("succeeded", 1)
    assert history_rows(database_url) == [("insert", "extraction", job["id"])]

