"""Extraction profiles: v1 CRUD, the default `memory`, and what a run takes from its profile."""

from tests.fakes.llm_server import system_text
from tests.runs.helpers import remember_last_user_message, run_body, wait_for_run

EPISODES = {"name": "episodes", "description": "What happened",
            "namespace": ["episodes", "{user_id}"],
            "instructions": "Record notable events with their date.",
            "kinds": [{"name": "Episode", "schema": {
                "type": "object", "properties": {"what": {"type": "string"}},
                "required": ["what"]}}],
            "enable_deletes": False}


async def test_the_default_profile_exists_and_can_be_replaced_but_not_deleted(client):
    listed = (await client.get("/v1/profiles")).json()["profiles"]
    assert [(p["name"], p["default"]) for p in listed] == [("memory", True)]
    default = listed[0]
    assert default["namespace"] == ["memories", "{user_id}"] and default["kinds"] is None
    assert default["enable_inserts"] and default["enable_updates"] and default["enable_deletes"]
    deleted = await client.delete("/v1/profiles/memory")
    assert deleted.status_code == 409 and "PUT /v1/profiles/memory" in deleted.json()["detail"]
    replaced = await client.put("/v1/profiles/memory", json={"instructions": "Only pets."})
    assert replaced.status_code == 200 and replaced.json()["instructions"] == "Only pets."
    assert replaced.json()["updated_at"] > default["updated_at"]


async def test_create_read_replace_delete(client):
    created = await client.post("/v1/profiles", json=EPISODES)
    assert created.status_code == 201
    body = created.json()
    assert body["kinds"][0]["schema"]["required"] == ["what"] and body["default"] is False
    assert (await client.post("/v1/profiles", json=EPISODES)).status_code == 409
    assert (await client.get("/v1/profiles/episodes")).json()["instructions"] == \
        EPISODES["instructions"]
    replaced = await client.put("/v1/profiles/episodes", json={"description": "v2"})
    assert replaced.json()["description"] == "v2" and replaced.json()["kinds"] is None
    names = [p["name"] for p in (await client.get("/v1/profiles")).json()["profiles"]]
    assert names == ["episodes", "memory"]
    assert (await client.delete("/v1/profiles/episodes")).status_code == 204
    missing = await client.get("/v1/profiles/episodes")
    assert missing.status_code == 404
    assert "known profiles: memory" in missing.json()["detail"]
    assert (await client.put("/v1/profiles/episodes", json={})).status_code == 404
    assert (await client.delete("/v1/profiles/episodes")).status_code == 404


async def test_invalid_profiles_are_refused(client):
    bad_schema = {**EPISODES, "kinds": [{"name": "Episode", "schema": {"type": "nope"}}]}
    response = await client.post("/v1/profiles", json=bad_schema)
    assert response.status_code == 422 and "invalid JSON Schema" in response.json()["detail"]
    bad_template = {**EPISODES, "namespace": ["episodes", "{}"]}
    assert (await client.post("/v1/profiles", json=bad_template)).status_code == 422
    dotted = {**EPISODES, "namespace": ["episodes.x"]}
    assert (await client.post("/v1/profiles", json=dotted)).status_code == 422
    assert (await client.post("/v1/profiles", json={"name": "has space"})).status_code == 422


async def test_a_run_uses_its_profiles_instructions_kinds_switches_and_namespace(
        extract_client, llm):
    llm.script({"operations": [{"action": "insert", "kind": "Episode",
                                "content": {"what": "Moved to Lisbon in May"}}]})
    assert (await extract_client.post("/v1/profiles", json=EPISODES)).status_code == 201
    await extract_client.post("/threads", json={"thread_id": "t1",
                                                "metadata": {"user_id": "alice"}})
    body = run_body("I moved to Lisbon in May", assistant_id="episodes")
    del body["config"]  # the profile's namespace template applies
    run = (await extract_client.post("/threads/t1/runs", json=body)).json()
    assert run["assistant_id"] == "episodes" and run["namespace"] == ["episodes", "alice"]
    await wait_for_run(extract_client, "t1", run["run_id"], "success")
    system = system_text(llm.llm_requests[0].body)
    assert "Record notable events with their date." in system
    assert "Allowed operations: insert, update." in system and "- Episode" in system
    page = (await extract_client.get("/v1/memories", params={"namespace": "episodes.alice"})
            ).json()
    assert [m["value"] for m in page["items"]] == [
        {"kind": "Episode", "content": {"what": "Moved to Lisbon in May"}}]


async def test_a_queued_run_keeps_the_profile_it_was_created_with(extract_client, llm):
    llm.script(default=remember_last_user_message)
    await extract_client.post("/threads", json={"thread_id": "t1",
                                                "metadata": {"user_id": "alice"}})
    await extract_client.put("/v1/profiles/memory", json={"instructions": "First version."})
    run = (await extract_client.post("/threads/t1/runs", json=run_body("hi", after=0.5))).json()
    await extract_client.put("/v1/profiles/memory", json={"instructions": "Second version."})
    await wait_for_run(extract_client, "t1", run["run_id"], "success")
    assert "First version." in system_text(llm.llm_requests[0].body)
