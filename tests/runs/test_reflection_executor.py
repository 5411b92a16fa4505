"""LangMem's remote ReflectionExecutor, unchanged, against a live server and the fake LLM.

The executor's submit() calls langgraph_sdk's runs.create(thread_id, "memory", input,
config={"configurable": {"thread_id", "namespace"}}, multitask_strategy="rollback",
after_seconds, if_not_exists="create"); its search() calls store.search_items.
"""

import time

import pytest
from langgraph_sdk import get_sync_client
from langmem import ReflectionExecutor

from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env
from tests.runs.helpers import conversation_in, remember_last_user_message

AFTER_SECONDS = 2


@pytest.fixture
def server_env(database_url, llm):
    return live_server_env(database_url, llm)


def eventually(read, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while not (value := read()):
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.1)
    return value


def contents(items) -> list[str]:
    return sorted(i["value"]["content"]["content"] for i in items)


def test_reflection_executor_debounces_a_thread_and_search_finds_the_memories(server_env, llm):
    llm.script(default=remember_last_user_message)
    with LiveServer.start(server_env) as server:
        # LangMem's remote submit forwards only thread_id and namespace from the config, so
        # the app binds each conversation thread to its user once (LangGraph thread metadata).
        client = get_sync_client(url=server.url)
        client.threads.create(thread_id="t1", metadata={"user_id": "alice"})
        client.threads.create(thread_id="t2", metadata={"user_id": "bob"})

        with ReflectionExecutor("memory", ("memories", "{user_id}"), url=server.url) as executor:
            config = {"configurable": {"thread_id": "t1", "user_id": "alice"}}
            conversation: list[dict] = []
            for text in ("I adopted a dog", "His name is Fido", "Fido is a golden retriever"):
                conversation += [{"role": "user", "content": text},
                                 {"role": "assistant", "content": "Lovely!"}]
                executor.submit({"messages": list(conversation)}, config=config,
                                after_seconds=AFTER_SECONDS).result()
            executor.submit({"messages": [{"role": "user", "content": "I play chess"}]},
                            config={"configurable": {"thread_id": "t2", "user_id": "bob"}},
                            after_seconds=AFTER_SECONDS).result()
            assert llm.calls == 0  # nothing runs before the delay

            alice = eventually(lambda: executor.search(namespace=("memories", "alice")))
            assert contents(alice) == ["User said: Fido is a golden retriever"]
            found = executor.search("what breed is the dog?", namespace=("memories", "alice"))
            assert contents(found) == ["User said: Fido is a golden retriever"]
            assert found[0]["namespace"] == ("memories", "alice")
            assert isinstance(found[0]["score"], float)  # a query search, scored
            bob = eventually(lambda: executor.search(namespace=("memories", "bob")))
            assert contents(bob) == ["User said: I play chess"]

        runs = client.runs.list("t1")
        assert [r["status"] for r in runs] == ["success", "interrupted", "interrupted"]
        assert {r["multitask_strategy"] for r in runs} == {"rollback"}
        assert runs[1]["superseded_by"] == runs[0]["run_id"]
        assert [r["status"] for r in client.runs.list("t2")] == ["success"]
        assert llm.calls == 2  # one extraction per thread
        prompts = [conversation_in(r.body) for r in llm.llm_requests]
        t1_prompt = next(p for p in prompts if p[0]["content"] == "I adopted a dog")
        assert t1_prompt == conversation  # the latest messages, all of them


def test_a_server_killed_between_submit_and_due_time_loses_nothing(server_env, llm):
    llm.script(default=remember_last_user_message)
    with LiveServer.start(server_env) as first:
        get_sync_client(url=first.url).threads.create(thread_id="t1",
                                                      metadata={"user_id": "alice"})
        with ReflectionExecutor("memory", ("memories", "{user_id}"), url=first.url) as executor:
            executor.submit({"messages": [{"role": "user", "content": "I live in Porto"}]},
                            config={"configurable": {"thread_id": "t1", "user_id": "alice"}},
                            after_seconds=AFTER_SECONDS).result()
        first.kill()  # SIGKILL before the run is due
    assert llm.calls == 0
    with LiveServer.start(server_env) as second, \
            ReflectionExecutor("memory", ("memories", "{user_id}"), url=second.url) as executor:
        found = eventually(lambda: executor.search(namespace=("memories", "alice")))
        assert contents(found) == ["User said: I live in Porto"]
        runs = get_sync_client(url=second.url).runs.list("t1")
    assert [r["status"] for r in runs] == ["success"]
    assert llm.calls == 1
