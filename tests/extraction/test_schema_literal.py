"""A model that fills the offered tool's schema literally (OpenAI strict, constrained local
servers, small models) gets extraction right: each kind's content schema is in the tool."""

import pytest

from tests.fakes.schema_literal import schema_literal, strict_violation
from tests.llm_fixtures import llm_settings, open_client

PROFILE = {"name": "UserProfile", "single": True, "description": "Who the user is",
           "schema": {"type": "object", "properties": {
               "name": {"type": "string"}, "pets": {"type": "string", "maxLength": 200}},
               "required": ["name"]}}


def request(text: str, **extra) -> dict:
    return {"messages": [{"role": "user", "content": text},
                         {"role": "assistant", "content": "Fido is a great name!"}],
            "namespace": ["memories", "alice"], **extra}


@pytest.fixture(params=["openai", "anthropic"])
async def literal_client(request, settings, embedder, llm):
    llm.script(default=schema_literal)
    app, ctx, client = await open_client(llm_settings(settings, llm, request.param), embedder)
    try:
        yield client
    finally:
        await client.aclose()
        await ctx.__aexit__(None, None, None)


async def test_the_default_kind_is_stored_from_the_schema_alone(literal_client, llm):
    result = (await literal_client.post("/v1/extract", json=request(
        "I like dogs. My dog's name is Fido."))).json()
    assert [c["value"] for c in result["created"]] == [
        {"kind": "Memory", "content": {"content": "I like dogs."}},
        {"kind": "Memory", "content": {"content": "My dog's name is Fido."}}]
    assert result["outcome"] == "stored" and result["rejected"] == []
    assert result["usage"]["llm_calls"] == 1 == llm.calls
    sent = llm.llm_requests[-1].body
    tool = sent["tools"][0]
    schema = tool.get("input_schema") or tool["function"]["parameters"]
    assert "content JSON Schema" not in str(sent)  # the schema is in the tool, not the prompt
    assert strict_violation(schema) is None
    if "function" in tool:
        assert tool["function"]["strict"] is True


async def test_a_single_item_profile_kind_gets_one_valid_profile(literal_client, llm):
    body = request("I'm Alice. I have a dog called Fido.", kinds=[PROFILE])
    first = (await literal_client.post("/v1/extract", json=body)).json()
    assert first["outcome"] == "stored", first
    assert [c["value"] for c in first["created"]] == [
        {"kind": "UserProfile", "content": {"name": "I have a dog called Fido.",
                                            "pets": "I have a dog called Fido."}}]
    second = (await literal_client.post("/v1/extract", json=body)).json()
    assert second["created"] == [] and second["rejected"] == []
    assert second["updated"][0]["key"] == first["created"][0]["key"]
    listed = (await literal_client.get("/v1/memories",
                                       params={"namespace": "memories.alice"})).json()["items"]
    assert len(listed) == 1 and llm.calls == 2


async def test_optional_fields_sent_as_null_are_left_out_before_validation(
        extract_client, llm):
    llm.script({"operations": [{"action": "insert", "kind": "UserProfile",
                                "content": {"name": "Alice", "pets": None}}]})
    result = (await extract_client.post("/v1/extract", json=request(
        "I'm Alice", kinds=[PROFILE]))).json()
    assert result["created"][0]["value"]["content"] == {"name": "Alice"}
    offered = llm.llm_requests[-1].body["tools"][0]["function"]["parameters"]
    content = offered["properties"]["operations"]["items"]["properties"]["content"]
    assert content["properties"]["pets"]["type"] == ["string", "null"]
    assert content["required"] == ["name", "pets"] and "maxLength" not in str(content)


@pytest.mark.parametrize("schema, construct", [
    ({"type": "object"}, "an object without 'properties' (a free-form map) at /"),
    ({"type": "object", "properties": {"tags": {"type": "object",
                                                 "additionalProperties": {"type": "string"}}}},
     "'additionalProperties' as a schema (a map of any keys) at /properties/tags"),
    ({"type": "object", "properties": {"a": {"type": "string"}},
      "allOf": [{"required": ["a"]}]}, "the keyword 'allOf' at /"),
    ({"type": "object", "properties": {"a": {}}}, "a schema that allows any value"),
    ({"$defs": {"N": {"type": "object", "properties": {"next": {"$ref": "#/$defs/N"}}}},
      "$ref": "#/$defs/N"}, "the recursive reference '#/$defs/N'"),
])
async def test_a_schema_strict_mode_cannot_express_is_422_naming_the_construct(
        extract_client, llm, schema, construct):
    response = await extract_client.post("/v1/extract", json=request(
        "hi", kinds=[{"name": "Loose", "schema": schema}]))
    assert response.status_code == 422, response.text
    assert construct in response.json()["detail"] and "'Loose'" in response.json()["detail"]
    assert llm.calls == 0
    profile = await extract_client.post("/v1/profiles", json={
        "name": "loose", "namespace": ["m", "{user_id}"],
        "kinds": [{"name": "Loose", "schema": schema}]})
    assert profile.status_code == 422 and construct in profile.json()["detail"]


async def test_refs_and_nested_objects_are_inlined_and_closed(extract_client, llm):
    llm.script(default=schema_literal)
    kind = {"name": "Trip", "schema": {
        "$defs": {"Place": {"type": "object", "properties": {"city": {"type": "string"}},
                            "required": ["city"]}},
        "type": "object", "properties": {"to": {"$ref": "#/$defs/Place"},
                                         "when": {"type": "string", "format": "date"}},
        "required": ["to"]}}
    result = (await extract_client.post("/v1/extract", json=request(
        "I fly to Tokyo.", kinds=[kind]))).json()
    assert result["created"][0]["value"]["content"] == {"to": {"city": "I fly to Tokyo."},
                                                        "when": "I fly to Tokyo."}


async def test_the_strict_fake_refuses_an_open_schema_as_openai_does(extract_client, llm):
    """The check that makes the tests above meaningful: OpenAI answers 400 for a strict
    function whose objects are not closed and fully required."""
    assert "additionalProperties" in strict_violation(
        {"type": "object", "properties": {"content": {"type": "object"}},
         "required": ["content"], "additionalProperties": False})
    assert "Missing 'id'" in strict_violation(
        {"type": "object", "properties": {"id": {"type": "string"}}, "required": [],
         "additionalProperties": False})


async def test_a_local_server_refusing_a_named_tool_choice_still_extracts(
        settings, embedder, llm):
    llm.script(default=schema_literal)
    llm.refused_tool_choices = {"named"}
    app, ctx, client = await open_client(llm_settings(settings, llm), embedder)
    try:
        result = (await client.post("/v1/extract", json=request("I like dogs."))).json()
        assert result["created"][0]["value"]["content"] == {"content": "I like dogs."}
        assert result["usage"]["llm_calls"] == 2 == llm.calls  # one refused, then "required"
        again = (await client.post("/v1/extract", json=request("I like cats."))).json()
        assert again["usage"]["llm_calls"] == 1
        assert llm.llm_requests[-1].body["tool_choice"] == "required"
    finally:
        await client.aclose()
        await ctx.__aexit__(None, None, None)


async def test_jobs_and_the_extract_memories_tool_store_what_a_literal_model_sends(
        extract_client, llm):
    from tests.jobs.test_background import wait_for

    llm.script(default=schema_literal)
    job = (await extract_client.post("/v1/jobs/extract", json={
        **request("I like dogs. My dog's name is Fido."), "thread_id": "t1"})).json()
    done = await wait_for(extract_client, job["id"], "succeeded", "failed")
    assert done["status"] == "succeeded" and done["result"]["outcome"] == "stored"
    assert len(done["result"]["created"]) == 2
    tool = (await extract_client.post("/v1/tools/execute", json={
        "name": "extract_memories", "namespace": ["tools", "bob"],
        "arguments": {"messages": [{"role": "user", "content": "I play chess."}]}})).json()
    done = await wait_for(extract_client, tool["artifact"]["job_id"], "succeeded", "failed")
    assert [c["value"]["content"] for c in done["result"]["created"]] == [
        {"content": "I play chess."}]
    assert llm.calls == 2


async def test_nulls_for_optional_fields_are_dropped_inside_referenced_objects(
        extract_client, llm):
    kind = {"name": "Trip", "schema": {
        "$defs": {"Place": {"type": "object", "properties": {
            "city": {"type": "string"}, "country": {"type": "string"}}, "required": ["city"]}},
        "type": "object", "properties": {"to": {"$ref": "#/$defs/Place"}}, "required": ["to"]}}
    llm.script({"operations": [{"action": "insert", "kind": "Trip",
                                "content": {"to": {"city": "Tokyo", "country": None}}}]})
    result = (await extract_client.post("/v1/extract", json=request(
        "I fly to Tokyo.", kinds=[kind]))).json()
    assert result["created"][0]["value"]["content"] == {"to": {"city": "Tokyo"}}
    assert llm.calls == 1


async def test_a_pydantic_models_schema_works_as_a_kind(extract_client, llm):
    from typing import Literal

    from pydantic import BaseModel

    class Pet(BaseModel):
        name: str
        species: Literal["dog", "cat"]

    class Profile(BaseModel):
        nickname: str | None = None
        pet: Pet

    llm.script(default=schema_literal)
    result = (await extract_client.post("/v1/extract", json=request(
        "My dog is Fido.", kinds=[{"name": "Profile", "schema": Profile.model_json_schema()}])))
    assert result.status_code == 200, result.text
    content = result.json()["created"][0]["value"]["content"]
    assert content == {"nickname": "My dog is Fido.",
                       "pet": {"name": "My dog is Fido.", "species": "dog"}}
    Profile.model_validate(content)
    offered = llm.llm_requests[-1].body["tools"][0]["function"]["parameters"]
    nickname = offered["properties"]["operations"]["items"]["properties"]["content"][
        "properties"]["nickname"]
    assert nickname == {"anyOf": [{"type": "string"}, {"type": "null"}]}
