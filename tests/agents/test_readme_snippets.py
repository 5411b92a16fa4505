"""README snippets a new user copies, run as written against a live server (only the URL is
swapped for the test server's)."""

import json
import re
from pathlib import Path

import httpx
import pytest
from langmem import ReflectionExecutor

README = Path(__file__).resolve().parents[2] / "README.md"
URL = "http://127.0.0.1:8000"


def snippet(heading: str, language: str) -> str:
    section = README.read_text().split(f"\n{heading}\n", 1)[1]
    return re.search(rf"```{language}\n(.*?)```", section, re.S).group(1)


def test_the_reflection_executor_snippet_runs_as_written(agent_server, api):
    code = snippet("### LangMem ReflectionExecutor", "python")
    scope: dict = {}
    exec(compile(code.replace(URL, agent_server.url), "README.md", "exec"), scope)
    scope["executor"].shutdown()
    runs = api.get("/threads/t1/runs").json()
    assert runs and runs[0]["status"] == "pending"  # queued for after_seconds, not lost


def test_a_refused_submit_shows_through_result(agent_server, user):
    """Without a key or a thread binding {user_id} has no value: the 422 is on the future."""
    with ReflectionExecutor("memory", ("memories", "{user_id}"),
                            url=agent_server.url) as executor:
        future = executor.submit({"messages": [{"role": "user", "content": "I have a dog"}]},
                                 config={"configurable": {"thread_id": f"t-{user}"}})
        with pytest.raises(httpx.HTTPStatusError) as refused:
            future.result(timeout=30)
    assert refused.value.response.status_code == 422
    assert "user_id" in refused.value.response.text


def test_the_filter_example_finds_v1_memories(agent_server, api, user):
    """The README's structured filter matches fields of items made with v1, which nests them
    under "content"."""
    block = snippet("### Search and namespaces", "bash")
    bodies = [json.loads(b) for b in re.findall(r"-d '(\{.*?\})'\n", block, re.S)]
    search = next(b for b in bodies if b.get("namespace_prefix") == ["shop"])
    create = next(b for b in bodies if b.get("namespace") == ["shop"])
    ns = ["shop", user]
    cheap = {**create, "content": {**create["content"], "name": "tea", "price": 3.5}}
    for body in (create, cheap):
        assert api.post("/v1/memories", json={**body, "namespace": ns}).status_code == 201
    search["namespace_prefix"] = ns
    found = api.post("/v1/search", json=search).json()["items"]
    assert [m["value"]["content"]["name"] for m in found] == ["coffee"]


def test_the_reflection_executor_snippet_runs_with_a_users_key(database_url, llm, monkeypatch):
    """The README says the same snippet runs as written once the service needs keys."""
    from tests.live_server import LiveServer
    from tests.llm_fixtures import live_server_env
    from tests.runs.test_reflection_executor_keys import ADMIN_KEY, user_key

    env = {**live_server_env(database_url, llm), "ADMIN_API_KEY": ADMIN_KEY}
    with LiveServer.start(env) as server:
        alice = user_key(server, "alice")
        monkeypatch.setenv("LANGGRAPH_API_KEY", alice)
        scope: dict = {}
        code = snippet("### LangMem ReflectionExecutor", "python")
        exec(compile(code.replace(URL, server.url), "README.md", "exec"), scope)
        scope["executor"].shutdown()
        runs = httpx.get(f"{server.url}/threads/t1/runs",
                         headers={"x-api-key": alice}).json()
        assert [r["status"] for r in runs] == ["pending"]
