"""A request still running at the SIGTERM deadline gets a JSON 503 with Retry-After (the
client can retry elsewhere), not uvicorn's plain-text 500."""

import signal
import threading

import httpx

from tests.fakes.llm_server import Delay
from tests.jobs.test_durability import wait_until
from tests.jobs.test_shutdown import fact
from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env


def test_a_request_cut_at_the_deadline_gets_a_json_503(database_url, llm):
    llm.script(Delay(60, then=fact("dogs")))
    env = {**live_server_env(database_url, llm), "SHUTDOWN_GRACE_SECONDS": "1"}
    answers: list[httpx.Response] = []
    with LiveServer.start(env) as server:
        slow = threading.Thread(target=lambda: answers.append(httpx.post(
            f"{server.url}/v1/extract", timeout=30, json={
                "messages": [{"role": "user", "content": "I like dogs"}],
                "namespace": ["memories", "alice"]})))
        slow.start()
        wait_until(lambda: llm.calls == 1)
        server.process.send_signal(signal.SIGTERM)
        slow.join(timeout=20)
        server.process.wait(timeout=20)
    [answer] = answers
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["retry-after"] == "1"
    assert "shutting down" in answer.json()["detail"]
