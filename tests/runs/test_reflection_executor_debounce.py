"""LangMem's remote ReflectionExecutor sends submits from a thread pool, so a growing
conversation's snapshots reach the service in any order. The debounce keeps the snapshot with
the most messages, whatever arrived last.

20 trials (threads) of 3 submits each, all sent without pauses through one executor, on one
live server. About 40 s on a busy 2-core machine, half of it the server's start."""

from concurrent.futures import wait

from langgraph_sdk import get_sync_client
from langmem import ReflectionExecutor

from tests.fakes.schema_literal import schema_literal
from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env
from tests.runs.test_reflection_executor import eventually

TRIALS = 20
AFTER_SECONDS = 2
TURNS = ("I adopted a dog.", "His name is Fido.", "Fido is a golden retriever.")


def test_out_of_order_submits_keep_the_newest_conversation(database_url, llm):
    llm.script(default=schema_literal)
    with LiveServer.start(live_server_env(database_url, llm)) as server, \
            ReflectionExecutor("memory", ("memories", "{thread_id}"), url=server.url) as executor:
        futures = []
        for trial in range(TRIALS):
            conversation: list[dict] = []
            for text in TURNS:
                conversation += [{"role": "user", "content": text},
                                 {"role": "assistant", "content": "Lovely!"}]
                futures.append(executor.submit(
                    {"messages": list(conversation)},
                    config={"configurable": {"thread_id": f"t{trial}"}},
                    after_seconds=AFTER_SECONDS))
        wait(futures)
        assert [f.exception() for f in futures] == [None] * len(futures)

        for trial in range(TRIALS):
            found = eventually(lambda t=trial: executor.search(namespace=("memories", f"t{t}")),
                               timeout=60)
            stored = sorted(i["value"]["content"]["content"] for i in found)
            assert stored == sorted(TURNS), f"trial {trial} stored {stored}"
        client = get_sync_client(url=server.url)
        statuses = [sorted(r["status"] for r in client.runs.list(f"t{trial}"))
                    for trial in range(TRIALS)]
    assert statuses == [["interrupted", "interrupted", "success"]] * TRIALS
    assert llm.calls == TRIALS  # one extraction per conversation
