"""LangGraph's runs subset over extraction jobs: create, strategies, read, cancel, threads."""

import uuid

import httpx
import pytest
from langchain_core.load import dumpd
from langchain_core.messages import AIMessage, HumanMessage
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import ConflictError, NotFoundError

from tests.fakes.llm_server import Delay
from tests.runs.helpers import (
    conversation_in,
    fact,
    remember_last_user_message,
    run_body,
    wait_for_run,
    wait_until,
)

RUN_KEYS = {"run_id", "thread_id", "assistant_id", "created_at", "updated_at", "status",
            "metadata", "multitask_strategy"}


async def bind(client, thread_id: str, user_id: str = "alice") -> None:
    response = await client.post("/threads", json={"thread_id": thread_id,
                                                   "metadata": {"user_id": user_id}})
    assert response.status_code == 200, response.text


async def memories(client, namespace: str = "memories.alice") -> list[str]:
    page = (await client.get("/v1/memories", params={"namespace": namespace})).json()
    return sorted(m["value"]["content"]["content"] for m in page["items"])


async def test_a_run_is_created_read_and_applied_with_the_shape_langgraph_sdk_reads(
        extract_client, llm):
    llm.script(default=remember_last_user_message)
    await bind(extract_client, "t1")
    response = await extract_client.post("/threads/t1/runs", json=run_body("I have a dog"))
    assert response.status_code == 200, response.text
    run = response.json()
    assert set(run) >= RUN_KEYS
    assert run["thread_id"] == "t1" and run["assistant_id"] == "memory"
    assert run["status"] == "pending" and run["multitask_strategy"] == "rollback"
    assert run["namespace"] == ["memories", "alice"]
    assert response.headers["content-location"] == f"/threads/t1/runs/{run['run_id']}"
    done = await wait_for_run(extract_client, "t1", run["run_id"], "success")
    assert done["result"]["created"][0]["value"]["content"]["content"] == "User said: I have a dog"
    assert await memories(extract_client) == ["User said: I have a dog"]
    job = (await extract_client.get(f"/v1/jobs/{run['run_id']}")).json()  # the same job
    assert job["status"] == "succeeded" and job["thread_id"] == "t1"


async def test_template_values_come_from_configurable_context_and_thread_metadata(
        extract_client, llm):
    llm.script(default=remember_last_user_message)
    body = run_body("hello", namespace=["org", "{org}", "{user_id}", "{thread_id}"],
                    context={"org": "acme"})
    body["config"]["configurable"]["user_id"] = "bob"
    run = (await extract_client.post("/threads/t9/runs", json=body)).json()
    assert run["namespace"] == ["org", "acme", "bob", "t9"]
    profile_default = run_body("hello")
    del profile_default["config"]  # no namespace sent: the profile's ["memories", "{user_id}"]
    await bind(extract_client, "t8", "carol")
    run = (await extract_client.post("/threads/t8/runs", json=profile_default)).json()
    assert run["namespace"] == ["memories", "carol"]


async def test_an_unfillable_template_is_refused_with_what_to_do(extract_client, llm):
    response = await extract_client.post("/threads/t1/runs", json=run_body("hi"))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "'user_id'" in detail and "thread_id" in detail
    assert "client.threads.create(" in detail and "ReflectionExecutor" in detail
    assert llm.calls == 0


async def test_a_missing_thread_is_404_unless_created_with_the_run(extract_client, llm):
    body = run_body("hi", namespace=["memories", "x"])
    del body["if_not_exists"]  # LangGraph's default: reject
    response = await extract_client.post("/threads/nope/runs", json=body)
    assert response.status_code == 404
    assert 'if_not_exists="create"' in response.json()["detail"]
    body["if_not_exists"] = "create"
    assert (await extract_client.post("/threads/nope/runs", json=body)).status_code == 200
    thread = (await extract_client.get("/threads/nope")).json()
    assert thread["thread_id"] == "nope" and thread["status"] in ("busy", "idle")


async def test_an_unknown_profile_is_404_listing_the_known_ones(extract_client, llm):
    await extract_client.post("/v1/profiles", json={"name": "episodes"})
    response = await extract_client.post("/threads/t1/runs",
                                         json=run_body("hi", assistant_id="agent"))
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "'agent'" in detail and "episodes, memory" in detail


@pytest.mark.parametrize("strategy", ["rollback", "interrupt"])
async def test_rollback_and_interrupt_replace_a_pending_run(extract_client, llm, strategy):
    llm.script(default=remember_last_user_message)
    await bind(extract_client, "t1")
    first = (await extract_client.post("/threads/t1/runs", json=run_body(
        "one", strategy=strategy, after=1))).json()
    second = (await extract_client.post("/threads/t1/runs", json=run_body(
        "one", "ok", "two", strategy=strategy, after=1))).json()
    await wait_for_run(extract_client, "t1", second["run_id"], "success")
    replaced = (await extract_client.get(f"/threads/t1/runs/{first['run_id']}")).json()
    assert replaced["status"] == "interrupted"
    assert replaced["superseded_by"] == second["run_id"] and replaced["cancel_reason"]
    assert llm.calls == 1
    assert await memories(extract_client) == ["User said: two"]


async def test_rollback_discards_a_running_runs_changes(extract_client, llm):
    llm.script(Delay(1.5, then=fact("from the first run")), fact("from the second run"))
    await bind(extract_client, "t1")
    first = (await extract_client.post("/threads/t1/runs", json=run_body("one"))).json()
    await wait_until(lambda: llm.calls == 1)  # the first run is waiting for its model answer
    assert (await extract_client.get(f"/threads/t1/runs/{first['run_id']}")).json()[
        "status"] == "running"
    second = (await extract_client.post("/threads/t1/runs", json=run_body("one", "x", "two"))
              ).json()
    assert (await extract_client.get(f"/threads/t1/runs/{first['run_id']}")).json()[
        "status"] == "interrupted"
    await wait_for_run(extract_client, "t1", second["run_id"], "success")
    await wait_until(lambda: llm.pending == 0 and llm.calls == 2)
    await wait_until(lambda: all(r.status for r in llm.llm_requests))  # the slow answer is out
    assert await memories(extract_client) == ["from the second run"]


async def test_reject_refuses_while_the_thread_has_an_unfinished_run(extract_client, llm):
    await bind(extract_client, "t1")
    first = (await extract_client.post("/threads/t1/runs", json=run_body("a", after=30))).json()
    response = await extract_client.post("/threads/t1/runs",
                                         json=run_body("a", "b", strategy="reject"))
    assert response.status_code == 409
    assert "reject" in response.json()["detail"] and first["run_id"] in response.json()["detail"]
    await extract_client.post(f"/threads/t1/runs/{first['run_id']}/cancel")
    accepted = await extract_client.post("/threads/t1/runs",
                                         json=run_body("a", "b", strategy="reject", after=30))
    assert accepted.status_code == 200


async def test_enqueue_runs_after_the_threads_unfinished_run(extract_client, llm):
    llm.script(Delay(1.0, then=fact("first")), fact("second"))
    await bind(extract_client, "t1")
    first = (await extract_client.post("/threads/t1/runs",
                                       json=run_body("a", strategy="enqueue"))).json()
    await wait_until(lambda: llm.calls == 1)
    second = (await extract_client.post("/threads/t1/runs",
                                        json=run_body("a", "b", "c", strategy="enqueue"))).json()
    done = await wait_for_run(extract_client, "t1", second["run_id"], "success")
    earlier = (await extract_client.get(f"/v1/jobs/{first['run_id']}")).json()
    later = (await extract_client.get(f"/v1/jobs/{second['run_id']}")).json()
    assert earlier["status"] == "succeeded"
    assert later["started_at"] >= earlier["finished_at"]  # one at a time, in order
    assert done["superseded_by"] is None
    assert await memories(extract_client) == ["first", "second"]


async def test_cancel_a_pending_run_and_list_the_threads_runs(extract_client, llm):
    await bind(extract_client, "t1")
    run = (await extract_client.post("/threads/t1/runs", json=run_body("a", after=30))).json()
    response = await extract_client.post(f"/threads/t1/runs/{run['run_id']}/cancel",
                                         params={"wait": 0, "action": "interrupt"})
    assert response.status_code == 202 and response.json()["status"] == "interrupted"
    again = await extract_client.post(f"/threads/t1/runs/{run['run_id']}/cancel")
    assert again.status_code == 409 and "interrupted" in again.json()["detail"]
    listed = (await extract_client.get("/threads/t1/runs")).json()
    assert [r["run_id"] for r in listed] == [run["run_id"]]
    assert (await extract_client.get("/threads/t1/runs", params={"status": "success"})).json() \
        == []
    assert (await extract_client.get(f"/threads/t2/runs/{run['run_id']}")).status_code == 404
    assert (await extract_client.get("/threads/t1")).json()["status"] == "idle"
    assert llm.calls == 0


async def test_langchain_message_dicts_are_understood(extract_client, llm):
    llm.script(default=remember_last_user_message)
    await bind(extract_client, "t1")
    body = run_body()
    body["input"]["messages"] = [
        HumanMessage("My cat is called Tom").model_dump(),  # what langgraph_sdk sends
        dumpd(AIMessage("Nice name!")),  # LangChain's serialized form
        ["human", "He is three years old"],
        {"type": "ai", "content": [{"type": "text", "text": "Noted."}]},
        "And he likes fish",
    ]
    run = (await extract_client.post("/threads/t1/runs", json=body)).json()
    await wait_for_run(extract_client, "t1", run["run_id"], "success")
    assert conversation_in(llm.llm_requests[0].body) == [
        {"role": "user", "content": "My cat is called Tom"},
        {"role": "assistant", "content": "Nice name!"},
        {"role": "user", "content": "He is three years old"},
        {"role": "assistant", "content": "Noted."},
        {"role": "user", "content": "And he likes fish"}]


async def test_bad_input_and_unsupported_options_are_refused(extract_client, llm):
    await bind(extract_client, "t1")
    no_messages = run_body()
    no_messages["input"] = {}
    response = await extract_client.post("/threads/t1/runs", json=no_messages)
    assert response.status_code == 422 and "input.messages" in response.json()["detail"]
    for option in ({"webhook": "https://example.com/hook"}, {"command": {"resume": "x"}},
                   {"interrupt_before": ["node"]}):
        response = await extract_client.post("/threads/t1/runs", json=run_body("a", **option))
        assert response.status_code == 422, option
        assert "do not support" in response.json()["detail"]
    bad_role = run_body()
    bad_role["input"]["messages"] = [{"role": "robot", "content": "beep"}]
    assert (await extract_client.post("/threads/t1/runs", json=bad_role)).status_code == 422
    assert llm.calls == 0


async def test_a_stateless_run_gets_a_new_thread(extract_client, llm):
    llm.script(default=remember_last_user_message)
    response = await extract_client.post("/runs", json=run_body(
        "hi", namespace=["memories", "{thread_id}"]))
    run = response.json()
    uuid.UUID(run["thread_id"])
    assert run["namespace"] == ["memories", run["thread_id"]]
    await wait_for_run(extract_client, run["thread_id"], run["run_id"], "success")


async def test_threads_create_read_and_merge_metadata(extract_client):
    created = (await extract_client.post("/threads", json={"metadata": {"user_id": "a"}})).json()
    uuid.UUID(created["thread_id"])
    assert created["status"] == "idle" and created["metadata"] == {"user_id": "a"}
    tid = created["thread_id"]
    dup = await extract_client.post("/threads", json={"thread_id": tid})
    assert dup.status_code == 409
    same = await extract_client.post("/threads", json={"thread_id": tid, "if_exists": "do_nothing"})
    assert same.json()["metadata"] == {"user_id": "a"}
    patched = await extract_client.patch(f"/threads/{tid}", json={"metadata": {"org": "acme"}})
    assert patched.json()["metadata"] == {"user_id": "a", "org": "acme"}
    assert (await extract_client.get("/threads/missing")).status_code == 404


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/assistants/memory"), ("POST", "/assistants/search"), ("POST", "/threads/search"),
    ("GET", "/threads/t1/state"), ("POST", "/threads/t1/runs/stream"),
    ("POST", "/threads/t1/runs/wait"),
    ("DELETE", "/threads/t1/runs/5f0c8d3e-2b1a-4c7e-9d3f-0a1b2c3d4e5f"),
    ("DELETE", "/threads/t1"), ("POST", "/runs/batch"), ("POST", "/runs/cancel"),
    ("GET", "/runs"), ("POST", "/crons/search"), ("GET", "/info"),
])
async def test_the_rest_of_langgraphs_api_is_404_with_an_explanation(client, method, path):
    response = await client.request(method, path)
    assert response.status_code == 404, response.text
    detail = response.json()["detail"]
    assert detail.startswith(f"{method} {path} is not served")
    assert "only the subset of LangGraph's runs API" in detail
    assert "POST /threads/{thread_id}/runs" in detail


async def test_our_own_routes_are_not_shadowed(client):
    assert (await client.get("/v1/memories", params={"namespace": "a"})).status_code == 200
    assert (await client.get("/store/items")).status_code == 400
    assert (await client.get("/docs")).status_code == 200
    assert (await client.get("/livez")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert "/threads/{thread_id}/runs" in spec["paths"] and "/v1/profiles" in spec["paths"]
    assert "/assistants/{rest}" not in spec["paths"]
    create = spec["paths"]["/threads/{thread_id}/runs"]["post"]
    schema = spec["components"]["schemas"]["RunCreate"]
    assert schema["examples"][0]["multitask_strategy"] == "rollback" and create["description"]


async def test_langgraph_sdk_client_reads_runs_and_threads(extract_client, llm):
    llm.script(default=remember_last_user_message)
    transport = extract_client._transport
    sdk = LangGraphClient(httpx.AsyncClient(transport=transport, base_url="http://t"))
    thread = await sdk.threads.create(thread_id="t1", metadata={"user_id": "alice"})
    assert thread["status"] == "idle"
    run = await sdk.runs.create("t1", "memory", input={"messages": [
        {"role": "user", "content": "I live in Porto"}]}, multitask_strategy="rollback",
        if_not_exists="create", after_seconds=30)
    assert (await sdk.runs.get("t1", run["run_id"]))["status"] == "pending"
    assert await sdk.runs.cancel("t1", run["run_id"], wait=True) is not None
    assert (await sdk.runs.get("t1", run["run_id"]))["status"] == "interrupted"
    run = await sdk.runs.create("t1", "memory", input={"messages": [
        {"role": "user", "content": "I live in Porto"}]})  # enqueue, thread exists
    joined = await sdk.runs.join("t1", run["run_id"])
    assert joined["created"][0]["value"]["content"]["content"] == "User said: I live in Porto"
    assert [r["status"] for r in await sdk.runs.list("t1")] == ["success", "interrupted"]
    with pytest.raises(NotFoundError):
        await sdk.assistants.get("memory")
    await sdk.runs.create("t1", "memory", input={"messages": [{"role": "user", "content": "x"}]},
                          after_seconds=30)
    with pytest.raises(ConflictError):
        await sdk.runs.create("t1", "memory", multitask_strategy="reject",
                              input={"messages": [{"role": "user", "content": "y"}]})
