"""The extraction worker survives its database going away for a minute: it restarts by
itself, /readyz says so meanwhile, and jobs queued before and after run once it is back.

The one slow test of the suite (~75 s): procrastinate's worker died for good after ~30 s
without its database, so the outage must be longer than that to prove anything.
"""

import time

import httpx

from tests.jobs.test_background import FACT, job_request
from tests.jobs.test_durability import wait_for
from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env
from tests.outage.conftest import StoppablePostgres

OUTAGE_SECONDS = 60


def test_the_worker_restarts_after_a_60_second_outage_and_runs_jobs(
        own_postgres: StoppablePostgres, outage_database_url, llm):
    llm.script(default=FACT)
    env = {**live_server_env(outage_database_url, llm), "DB_UNAVAILABLE_TIMEOUT_SECONDS": "2"}
    with LiveServer.start(env) as server:
        before = httpx.post(f"{server.url}/v1/jobs/extract",
                            json=job_request("I like dogs", after=OUTAGE_SECONDS / 2)).json()
        own_postgres.stop()
        stopped = time.monotonic()
        try:
            while time.monotonic() - stopped < OUTAGE_SECONDS:
                ready = httpx.get(f"{server.url}/readyz", timeout=5)
                assert ready.status_code == 503, ready.text
                assert httpx.get(f"{server.url}/livez", timeout=5).status_code == 200
                time.sleep(5)
        finally:
            own_postgres.start()
        back = time.monotonic()
        while httpx.get(f"{server.url}/readyz", timeout=5).status_code != 200:
            assert time.monotonic() - back < 15, server.output()[-3000:]
            time.sleep(0.2)
        assert httpx.get(f"{server.url}/readyz").json()["worker"] == "running"
        after = httpx.post(f"{server.url}/v1/jobs/extract",
                           json=job_request("I have a cat", thread="t2")).json()
        wait_for(server.url, after["id"], "succeeded", timeout=20)
        wait_for(server.url, before["id"], "succeeded", timeout=20)
        assert "extraction worker stopped" in server.output()  # each restart is logged
