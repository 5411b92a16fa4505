"""LangMem's production snippet, exactly as its guide writes it, once the service needs keys:
the user's API key (LANGGRAPH_API_KEY, which langgraph_sdk reads) fills {user_id}."""

import httpx
from langmem import ReflectionExecutor

from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env
from tests.runs.helpers import remember_last_user_message
from tests.runs.test_reflection_executor import contents, eventually

ADMIN_KEY = "admin-key-for-runs-tests-0123456789"


def user_key(server: LiveServer, user: str) -> str:
    made = httpx.post(f"{server.url}/v1/keys", headers={"x-api-key": ADMIN_KEY}, json={
        "name": f"{user}'s agent", "identity": user,
        "grants": [{"prefix": ["memories", user], "access": "write"}]})
    assert made.status_code == 201, made.text
    return made.json()["key"]


def test_the_guides_snippet_runs_unchanged_with_the_users_key(database_url, llm, monkeypatch):
    llm.script(default=remember_last_user_message)
    env = {**live_server_env(database_url, llm), "ADMIN_API_KEY": ADMIN_KEY}
    with LiveServer.start(env) as server:
        monkeypatch.setenv("LANGGRAPH_API_KEY", user_key(server, "alice"))
        conversation = [{"role": "user", "content": "I moved to Lisbon"},
                        {"role": "assistant", "content": "Exciting!"}]
        # the snippet from LangMem's "Delayed Memory Processing" guide, verbatim
        executor = ReflectionExecutor("memory", ("memories", "{user_id}"), url=server.url)
        executor.submit({"messages": conversation}, config={"configurable": {
            "thread_id": "t1", "user_id": "alice"}}, after_seconds=1).result()

        found = eventually(lambda: executor.search(namespace=("memories", "alice")))
        assert contents(found) == ["User said: I moved to Lisbon"]
        executor.shutdown()

        # bob's key acts as bob whatever the config says: his run lands in his memories,
        # and alice's stay out of his reach
        monkeypatch.setenv("LANGGRAPH_API_KEY", user_key(server, "bob"))
        with ReflectionExecutor("memory", ("memories", "{user_id}"), url=server.url) as bobs:
            bobs.submit({"messages": conversation}, config={"configurable": {
                "thread_id": "t2", "user_id": "alice"}}, after_seconds=0).result()
            found = eventually(lambda: bobs.search(namespace=("memories", "bob")))
            assert contents(found) == ["User said: I moved to Lisbon"]
            assert bobs.search(namespace=("memories", "alice")) == []
    assert llm.calls == 2
