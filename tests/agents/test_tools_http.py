"""The tools API against a live server: definitions a model takes as they are (OpenAI and
Anthropic SDKs), tool calls run as an agent framework sends them, and 4xx that say why."""

import json

import pytest
from anthropic import Anthropic
from jsonschema import Draft202012Validator
from langchain_core.utils.function_calling import convert_to_openai_tool
from langmem import create_manage_memory_tool, create_search_memory_tool
from openai import OpenAI

from app.tools.definitions import TIME_ARGUMENTS
from tests.agents.helpers import extraction_insert, wait_for_job
from tests.fakes.llm_server import ToolCall

TEMPLATE = ["memories", "{user_id}"]


def execute(api, name, arguments, user=None, **extra):
    body = {"name": name, "arguments": arguments, "namespace": TEMPLATE, **extra}
    if user is not None:
        body.setdefault("config", {"user_id": user})
    return api.post("/v1/tools/execute", json=body)


@pytest.mark.parametrize("actions", [None, ("create", "update"), ("create",),
                                     ("update", "delete")])
def test_definitions_are_langmems_tools(api, actions):
    params = {"format": "openai"} | ({"actions": ",".join(actions)} if actions else {})
    tools = api.get("/v1/tools", params=params).json()["tools"]
    assert [t["function"]["name"] for t in tools] == ["manage_memory", "search_memory"]

    kwargs = {"actions_permitted": actions} if actions else {}
    langmem = [convert_to_openai_tool(create_manage_memory_tool(("memories",), **kwargs)),
               convert_to_openai_tool(create_search_memory_tool(("memories",)))]
    for ours, theirs in zip(tools, langmem, strict=True):
        assert ours["type"] == "function"
        ours, theirs = ours["function"], theirs["function"]
        assert ours["description"] == theirs["description"]
        # LangMem's arguments, plus search_memory's optional time bounds (TIME_ARGUMENTS)
        extra = TIME_ARGUMENTS.keys() if ours["name"] == "search_memory" else set()
        assert ours["parameters"]["properties"].keys() == \
            theirs["parameters"]["properties"].keys() | extra
        assert ours["parameters"]["required"] == theirs["parameters"]["required"]
        Draft202012Validator.check_schema(ours["parameters"])
    manage = tools[0]["function"]["parameters"]["properties"]["action"]
    assert manage["enum"] == list(actions or ("create", "update", "delete"))
    theirs = langmem[0]["function"]["parameters"]["properties"]["action"]
    assert manage["enum"] == theirs.get("enum", [theirs.get("const")])  # one action: a const


def test_anthropic_format_and_tool_choice(api):
    openai = api.get("/v1/tools").json()["tools"]
    anthropic = api.get("/v1/tools", params={"format": "anthropic"}).json()
    assert anthropic["format"] == "anthropic"
    assert [{"name": t["name"], "description": t["description"], "parameters": t["input_schema"]}
            for t in anthropic["tools"]] == [t["function"] for t in openai]
    extract = api.get("/v1/tools", params={"tools": "extract_memories"}).json()["tools"]
    assert [t["function"]["name"] for t in extract] == ["extract_memories"]
    assert extract[0]["function"]["parameters"]["required"] == ["messages"]


def test_bad_definition_requests_say_why(api):
    unknown_action = api.get("/v1/tools", params={"actions": "create,destroy"})
    assert unknown_action.status_code == 422
    assert "unknown action 'destroy'" in unknown_action.json()["detail"]
    unknown_tool = api.get("/v1/tools", params={"tools": "forget_everything"})
    assert unknown_tool.status_code == 404
    assert "no tool named 'forget_everything'" in unknown_tool.json()["detail"]
    assert api.get("/v1/tools", params={"format": "gemini"}).status_code == 422


def test_openai_agent_loop_creates_updates_and_deletes(api, llm, user):
    """The OpenAI SDK sends our definitions; its tool call (arguments as JSON text) runs."""
    tools = api.get("/v1/tools").json()["tools"]
    model = OpenAI(base_url=llm.openai_url, api_key="sk-test", max_retries=0)
    llm.script(ToolCall("manage_memory", {"content": "User prefers dark mode"}))
    completion = model.chat.completions.create(
        model="gpt-4o-mini", tools=tools,
        messages=[{"role": "user", "content": "dark. Remember that."}])
    assert llm.requests[-1].body["tools"] == tools  # the SDK took them as they are
    call = completion.choices[0].message.tool_calls[0]
    assert isinstance(call.function.arguments, str)

    created = execute(api, call.function.name, call.function.arguments, user,
                      tool_call_id=call.id)
    assert created.status_code == 200, created.text
    body = created.json()
    key = body["artifact"]["key"]
    assert body["content"] == f"created memory {key}"
    assert body["tool_call_id"] == call.id and body["namespace"] == ["memories", user]
    memory = api.get(f"/v1/memories/{key}", params={"namespace": f"memories.{user}"}).json()
    assert memory["value"] == {"kind": "Memory",
                               "content": {"content": "User prefers dark mode"}}

    updated = execute(api, "manage_memory", {"action": "update", "id": key,
                                             "content": "User prefers light mode"}, user)
    assert updated.json()["content"] == f"updated memory {key}"
    memory = api.get(f"/v1/memories/{key}", params={"namespace": f"memories.{user}"}).json()
    assert memory["value"]["content"] == {"content": "User prefers light mode"}

    deleted = execute(api, "manage_memory", {"action": "delete", "id": key}, user)
    assert deleted.json()["content"] == f"Deleted memory {key}"
    assert api.get(f"/v1/memories/{key}",
                   params={"namespace": f"memories.{user}"}).status_code == 404
    history = api.get("/v1/history", params={"namespace": f"memories.{user}",
                                             "key": key}).json()
    assert [c["source"] for c in history["changes"]] == ["tool", "tool", "tool"]


def test_anthropic_agent_loop_searches(api, llm, user):
    """The Anthropic SDK's tool_use input (an object) and LangGraph's configurable work."""
    for text in ("User prefers dark mode", "User has a dog named Fido"):
        execute(api, "manage_memory", {"content": text}, user).raise_for_status()
    tools = api.get("/v1/tools", params={"format": "anthropic"}).json()["tools"]
    llm.script(ToolCall("search_memory", {"query": "what pet does the user have?",
                                          "limit": 1}))
    message = Anthropic(base_url=llm.anthropic_url, api_key="sk-ant-test",
                        max_retries=0).messages.create(
        model="claude-sonnet-4-5", max_tokens=256, tools=tools,
        messages=[{"role": "user", "content": "Do I have pets?"}])
    use = next(b for b in message.content if b.type == "tool_use")

    result = api.post("/v1/tools/execute", json={
        "name": use.name, "arguments": use.input, "tool_call_id": use.id,
        "config": {"configurable": {"user_id": user}}}).json()  # default namespace template
    found = json.loads(result["content"])
    assert [f["value"]["content"]["content"] for f in found] == ["User has a dog named Fido"]
    assert set(found[0]) == {"namespace", "key", "value", "created_at", "updated_at", "score"}
    assert isinstance(found[0]["score"], float)
    assert result["artifact"] == found


def test_extract_memories_queues_background_extraction(api, llm, user):
    llm.script(extraction_insert("User moved to Lisbon"))
    result = execute(api, "extract_memories", {
        "messages": [{"role": "user", "content": "I moved to Lisbon last week."},
                     {"role": "assistant", "content": "How exciting!"}],
        "thread_id": "thread-1"}, user)
    assert result.status_code == 200, result.text
    job_id = result.json()["artifact"]["job_id"]
    assert result.json()["content"].startswith(f"queued extraction job {job_id}")
    assert wait_for_job(api, job_id)["status"] == "succeeded"
    found = json.loads(execute(api, "search_memory", {"query": "where does the user live"},
                               user).json()["content"])
    assert [f["value"]["content"]["content"] for f in found] == ["User moved to Lisbon"]


@pytest.mark.parametrize(("call", "status", "says"), [
    ({"name": "manage_memory", "arguments": {"content": "x"}, "config": {}}, 422,
     "needs a value for 'user_id'; pass it in config"),
    ({"name": "remember_everything", "arguments": {}}, 404, "no tool named"),
    ({"name": "manage_memory", "arguments": {"action": "forget", "id": "k"}}, 422,
     "unknown action 'forget'"),
    ({"name": "manage_memory", "arguments": {"action": "delete", "id": "k"},
      "actions": ["create", "update"]}, 422, "action 'delete' is not permitted here"),
    ({"name": "search_memory", "arguments": {"limit": "ten", "colour": "red"}}, 422,
     "'query' is a required property"),
    ({"name": "search_memory", "arguments": {"query": "q", "limit": "ten"}}, 422,
     "limit: 'ten' is not of type 'integer'"),
    ({"name": "search_memory", "arguments": {"query": "q", "colour": "red"}}, 422,
     "('colour' was unexpected)"),
    ({"name": "manage_memory", "arguments": "{\"content\": "}, 422, "not valid JSON"),
    ({"name": "manage_memory", "arguments": "[1, 2]"}, 422, "must be a JSON object"),
    ({"name": "manage_memory", "arguments": {"content": "x", "id": "k"}}, 422,
     "You cannot provide a MEMORY ID when creating a MEMORY"),
    ({"name": "manage_memory", "arguments": {"action": "update", "content": "x"}}, 422,
     "You must provide a MEMORY ID"),
    ({"name": "manage_memory", "arguments": {"action": "create"}}, 422,
     "content is required to create a memory"),
    ({"name": "manage_memory", "arguments": {"action": "update", "id": "nope",
                                             "content": "x"}}, 404, "'nope'"),
    ({"name": "manage_memory", "arguments": {"action": "delete", "id": "nope"}}, 404,
     "'nope'"),
    ({"name": "manage_memory", "arguments": {"content": "x"}, "namespace": ["{team}", "x"],
      "config": {"user_id": "a"}}, 422, "needs a value for 'team'"),
    ({"name": "search_memory", "arguments": {"query": "q", "filter": {"n": {"$near": 1}}}},
     422, "$near"),
])
def test_bad_calls_get_4xx_that_say_what_is_wrong(api, user, call, status, says):
    body = {"namespace": TEMPLATE, "config": {"user_id": user}, **call}
    response = api.post("/v1/tools/execute", json=body)
    assert response.status_code == status, response.text
    assert says in response.json()["detail"]
