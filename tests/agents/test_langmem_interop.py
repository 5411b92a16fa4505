"""LangMem, unchanged, on RemoteStore: what it writes and what our API writes read back the
same way through both doors. Its models are ChatOpenAI against the fake LLM server."""

import json
import re

from langchain_openai import ChatOpenAI
from langmem import (
    create_manage_memory_tool,
    create_memory_store_manager,
    create_search_memory_tool,
)

from tests.fakes.llm_server import ToolCall

TEMPLATE = ("memories", "{langgraph_user_id}")


def our_search(api, user, query):
    return api.post("/v1/tools/execute", json={
        "name": "search_memory", "arguments": {"query": query}, "namespace": list(TEMPLATE),
        "config": {"configurable": {"langgraph_user_id": user}}}).json()["content"]


def v1_value(api, user, key):
    return api.get(f"/v1/memories/{key}", params={"namespace": f"memories.{user}"}).json()["value"]


async def test_memories_from_our_api_read_the_same_through_langmem(api, remote, user):
    config = {"configurable": {"langgraph_user_id": user}}
    created = api.post("/v1/memories", json={"namespace": ["memories", user],
                                             "content": "User prefers dark mode"}).json()
    item = remote.get(("memories", user), created["key"])
    assert item.value == created["value"] == {"kind": "Memory",
                                              "content": {"content": "User prefers dark mode"}}

    search = create_search_memory_tool(namespace=TEMPLATE, store=remote)
    theirs = search.invoke({"query": "display preferences"}, config=config)
    assert theirs == our_search(api, user, "display preferences")  # the very same text
    assert await search.ainvoke({"query": "display preferences"}, config=config) == theirs
    assert json.loads(theirs)[0]["value"] == created["value"]


async def test_memories_from_langmem_read_the_same_through_our_api(api, remote, user):
    config = {"configurable": {"langgraph_user_id": user}}
    manage = create_manage_memory_tool(namespace=TEMPLATE, store=remote)
    answer = manage.invoke({"content": "User has a dog named Fido"}, config=config)
    key = re.fullmatch(r"created memory (\S+)", answer).group(1)

    # LangMem stores {"content": ...}; our API reads it as a plain Memory
    assert remote.get(("memories", user), key).value == {"content": "User has a dog named Fido"}
    assert v1_value(api, user, key) == {"kind": "Memory",
                                        "content": {"content": "User has a dog named Fido"}}
    search = create_search_memory_tool(namespace=TEMPLATE, store=remote)
    assert our_search(api, user, "pets") == search.invoke({"query": "pets"}, config=config)

    assert await manage.ainvoke({"action": "update", "id": key,
                                 "content": "User has two dogs"}, config=config) == \
        f"updated memory {key}"
    assert v1_value(api, user, key)["content"] == {"content": "User has two dogs"}
    history = api.get("/v1/history", params={"namespace": f"memories.{user}", "key": key})
    assert [c["source"] for c in history.json()["changes"]] == ["store", "store"]

    # and an update through our tool reads back in LangMem's search
    api.post("/v1/tools/execute", json={
        "name": "manage_memory", "arguments": {"action": "update", "id": key,
                                               "content": "User has three dogs"},
        "namespace": list(TEMPLATE), "config": {"langgraph_user_id": user}}).raise_for_status()
    found = json.loads(search.invoke({"query": "pets"}, config=config))
    assert found[0]["value"] == {"kind": "Memory", "content": {"content": "User has three dogs"}}
    assert manage.invoke({"action": "delete", "id": key}, config=config) == \
        f"Deleted memory {key}"
    assert remote.get(("memories", user), key) is None


async def test_memory_store_manager_extracts_and_patches_through_remote_store(
        api, remote, llm, user):
    """create_memory_store_manager (trustcall) inserts, then patches what it found in the
    service, with ChatOpenAI speaking the OpenAI wire format to the fake model."""
    model = ChatOpenAI(model="gpt-4o-mini", base_url=llm.openai_url, api_key="sk-test",
                       max_retries=0)
    manager = create_memory_store_manager(model, namespace=TEMPLATE, store=remote)
    config = {"configurable": {"langgraph_user_id": user}}

    llm.script(ToolCall("Memory", {"content": "User likes dogs; their dog is named Fido"}))
    puts = await manager.ainvoke({"messages": [
        {"role": "user", "content": "I like dogs. My dog's name is Fido."},
        {"role": "assistant", "content": "Fido is a great name!"}]}, config=config)
    [stored] = api.get("/v1/memories", params={"namespace": f"memories.{user}"}).json()["items"]
    assert stored["key"] == puts[0]["key"]
    assert stored["value"] == {"kind": "Memory",
                               "content": {"content": "User likes dogs; their dog is named Fido"}}

    def patch_existing(body):
        system = body["messages"][0]["content"]
        assert "User likes dogs; their dog is named Fido" in system  # found in the service
        doc_id = re.search(r"<instance id=(\S+) schema_type=", system).group(1)
        return ToolCall("PatchDoc", {
            "json_doc_id": doc_id, "planned_edits": "add Fido's age",
            "patches": [{"op": "replace", "path": "/content",
                         "value": "User likes dogs; their dog Fido is 3 years old"}]})

    llm.script(patch_existing)
    await manager.ainvoke({"messages": [{"role": "user", "content": "Fido turned 3 today!"}]},
                          config=config)
    assert llm.pending == 0
    [patched] = api.get("/v1/memories", params={"namespace": f"memories.{user}"}).json()["items"]
    assert patched["key"] == stored["key"]  # updated in place, not duplicated
    assert patched["value"]["content"] == {
        "content": "User likes dogs; their dog Fido is 3 years old"}
    # and LangMem's own reads through RemoteStore see its schema again
    assert [i.value.content for i in manager.search(query="dogs", config=config)] == \
        ["User likes dogs; their dog Fido is 3 years old"]
