"""Shared by the runs tests: a fake model that remembers the last user message, run bodies."""

import asyncio
import json
import re

from tests.fakes.llm_server import user_text

_CONVERSATION = re.compile(r"<conversation>\n(.*)\n</conversation>", re.S)


def conversation_in(body: dict) -> list[dict]:
    """The conversation the extraction prompt showed the model, as role/content dicts."""
    match = _CONVERSATION.search(user_text(body))
    assert match, "no <conversation> block in the prompt"
    return json.loads(match.group(1))


def remember_last_user_message(body: dict) -> dict:
    """A scripted model answer: one Memory holding the conversation's last user message."""
    last = [t["content"] for t in conversation_in(body) if t["role"] == "user"][-1]
    return {"operations": [{"action": "insert", "kind": "Memory",
                            "content": {"content": f"User said: {last}"}}]}


def fact(text: str) -> dict:
    return {"operations": [{"action": "insert", "kind": "Memory", "content": {"content": text}}]}


def run_body(*texts: str, strategy: str = "rollback", after: float = 0,
             namespace: list[str] | None = None, **extra) -> dict:
    """What LangMem's remote ReflectionExecutor.submit sends."""
    roles = ("user", "assistant")
    return {"assistant_id": "memory",
            "input": {"messages": [{"role": roles[i % 2], "content": t}
                                   for i, t in enumerate(texts)]},
            "config": {"configurable": {"namespace": namespace or ["memories", "{user_id}"]}},
            "multitask_strategy": strategy, "after_seconds": after, "if_not_exists": "create",
            "stream_mode": "values", "stream_subgraphs": False, "stream_resumable": False,
            **extra}


async def wait_for_run(client, thread_id: str, run_id: str, *statuses: str,
                       timeout: float = 20) -> dict:
    for _ in range(int(timeout / 0.1)):
        run = (await client.get(f"/threads/{thread_id}/runs/{run_id}")).json()
        if run["status"] in statuses:
            return run
        await asyncio.sleep(0.1)
    raise AssertionError(f"run {run_id} still {run['status']}: {run}")


async def wait_until(predicate, timeout: float = 20) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")
