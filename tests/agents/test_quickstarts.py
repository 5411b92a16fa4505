"""LangMem's quickstarts (examples/), with RemoteStore in place of InMemoryStore, run as
scripts (as __main__, in this process, which has the libraries imported already) against a
live server. Their model strings are the quickstarts' own ("anthropic:claude-3-5-sonnet-latest"):
langchain-anthropic and the anthropic SDK reach the fake LLM server through ANTHROPIC_BASE_URL,
and the fake plays the model's part."""

import json
import os
import runpy
from pathlib import Path

import pytest

from tests.fakes.llm_server import NoToolCall, ToolCall

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
QUICKSTART_NS = ("memories",)


@pytest.fixture
def clean_memories(remote):
    """The quickstarts keep their memories under ("memories",): start them empty."""
    while found := remote.search(QUICKSTART_NS, limit=1000):
        for item in found:
            remote.delete(item.namespace, item.key)
    return remote


def run_example(name: str, agent_server, llm, monkeypatch, capsys) -> str:
    """Run examples/<name> as a script (`__main__`), with the settings a user exports."""
    for key in [k for k in os.environ if k.startswith("ANTHROPIC_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("MEMORY_SERVICE_URL", agent_server.url)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", llm.anthropic_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    capsys.readouterr()
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out = capsys.readouterr().out
    with capsys.disabled():  # the transcript, shown with pytest -s
        print(f"\n$ python examples/{name}\n{out}", end="")
    return out


def last_tool_result(body: dict) -> tuple[str, str] | None:
    """(tool name, result text) when the model is being shown a tool's result (Anthropic)."""
    messages = body["messages"]
    last = messages[-1]
    if last["role"] != "user" or isinstance(last["content"], str):
        return None
    result = next((b for b in last["content"] if b.get("type") == "tool_result"), None)
    if result is None:
        return None
    uses = {b["id"]: b["name"] for b in messages[-2]["content"] if b.get("type") == "tool_use"}
    content = result["content"]
    text = content if isinstance(content, str) else "".join(
        c.get("text", "") for c in content)
    return uses[result["tool_use_id"]], text


def agent_model(body: dict):
    """The hot-path agent's model: saves what it is told to remember, searches otherwise,
    and answers from what the memory service returned."""
    shown = last_tool_result(body)
    if shown is None:
        text = body["messages"][-1]["content"]
        text = text if isinstance(text, str) else " ".join(b.get("text", "") for b in text)
        if "Remember that" in text:
            return ToolCall("manage_memory", {"content": "User prefers dark display mode"})
        return ToolCall("search_memory", {"query": "user's display mode preference"})
    tool, result = shown
    if tool == "manage_memory":
        return NoToolCall("Got it, I'll remember that you prefer dark mode.")
    found = [m["value"]["content"] for m in json.loads(result)]
    if not found:
        return NoToolCall("I don't have any memories of your display mode preference yet.")
    return NoToolCall(f"Yes! From my memories: {'; '.join(found)}.")


def test_hot_path_quickstart(agent_server, api, llm, clean_memories, monkeypatch, capsys):
    llm.script(default=agent_model)
    out = run_example("hot_path_quickstart.py", agent_server, llm, monkeypatch,
                      capsys).splitlines()

    assert out[0] == "I don't have any memories of your display mode preference yet."
    assert out[-1] == "Yes! From my memories: User prefers dark display mode."  # thread B
    [memory] = clean_memories.search(QUICKSTART_NS)
    assert memory.value == {"content": "User prefers dark display mode"}  # LangMem's shape
    assert api.get(f"/v1/memories/{memory.key}", params={"namespace": "memories"}).json()[
        "value"] == {"kind": "Memory", "content": {"content": "User prefers dark display mode"}}

    requests = [r.body for r in llm.llm_requests]
    assert [r["messages"][0]["content"] for r in requests[:1]] == \
        ["Know which display mode I prefer?"]
    thread_b = next(r for r in requests if r["messages"][0]["content"].startswith("Hey there"))
    assert len(thread_b["messages"]) == 1  # a new thread: no history of thread A
    assert "User prefers dark display mode" in thread_b["system"]  # prompt()'s store.search


def background_model(body: dict):
    """The chat model answers; the memory manager's extraction call records one memory."""
    if body.get("tools"):
        names = [t["name"] for t in body["tools"]]
        assert names == ["Memory"], names
        assert "My dog's name is Fido" in json.dumps(body["messages"])
        return ToolCall("Memory", {"content": "User likes dogs and has a dog named Fido"})
    return NoToolCall("That's nice! Dogs make wonderful companions. Fido is a classic dog "
                      "name. What kind of dog is Fido?")


def test_background_quickstart(agent_server, api, llm, clean_memories, monkeypatch,
                               capsys):
    llm.script(default=background_model)
    out = run_example("background_quickstart.py", agent_server, llm, monkeypatch,
                      capsys).splitlines()

    assert out[0].startswith("That's nice! Dogs make wonderful companions.")
    assert out[1].startswith("[Item(namespace=['memories', 'background'], key=")
    assert "value={'kind': 'Memory', 'content': {'content': " \
           "'User likes dogs and has a dog named Fido'}}" in out[1]
    assert llm.calls == 2
    listed = api.get("/v1/memories",
                     params={"namespace": "memories.background"}).json()["items"]
    assert [m["value"] for m in listed] == [
        {"kind": "Memory", "content": {"content": "User likes dogs and has a dog named Fido"}}]


def test_quickstarts_in_the_readmes_order(agent_server, api, llm, clean_memories, monkeypatch,
                                          capsys):
    """A new user runs the hot path, then the background quickstart, on one service: the
    memory manager must not trip over the hot path's memories (a KeyError: 'kind' before)."""
    llm.script(default=agent_model)
    run_example("hot_path_quickstart.py", agent_server, llm, monkeypatch, capsys)
    llm.script(default=background_model)
    out = run_example("background_quickstart.py", agent_server, llm, monkeypatch,
                      capsys).splitlines()

    assert "'User likes dogs and has a dog named Fido'" in out[1]
    assert "User prefers dark display mode" not in out[1]  # its own namespace only
    hot = api.get("/v1/memories", params={"namespace": "memories"}).json()["items"]
    assert [m["value"]["content"] for m in hot] == [{"content": "User prefers dark display mode"}]
