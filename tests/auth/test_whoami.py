"""GET /v1/whoami names the calling key and its grants (the memory browser's "signed in as"),
and GET /v1/jobs/{id}/conversation gives back what a job was submitted with, to readers only."""

from tests.auth.conftest import ADMIN_KEY, bearer, create_key


async def test_whoami_names_the_key_and_its_grants(keyed):
    assert (await keyed.get("/v1/whoami")).status_code == 401
    admin = (await keyed.get("/v1/whoami", headers=bearer(ADMIN_KEY))).json()
    assert admin == {"key_id": "admin", "name": "admin (ADMIN_API_KEY)", "identity": None,
                     "admin": True, "grants": [{"prefix": [], "access": "write"}]}
    key = await create_key(keyed, "two teams", identity="alice", write=[["org"]],
                           read=[["shared"]])
    me = (await keyed.get("/v1/whoami", headers=bearer(key))).json()
    assert me["name"] == "two teams" and me["identity"] == "alice" and not me["admin"]
    assert me["grants"] == [{"prefix": ["org"], "access": "write"},
                            {"prefix": ["shared"], "access": "read"}]


async def test_a_jobs_conversation_is_readable_by_readers_only(keyed, llm):
    llm.script({"operations": []})
    messages = [{"role": "user", "content": "I moved to Lisbon."},
                {"role": "assistant", "content": "Nice!"}]
    job = (await keyed.post("/v1/jobs/extract", headers=bearer(ADMIN_KEY), json={
        "messages": messages, "namespace": ["org", "alice"], "thread_id": "t1"})).json()
    answer = await keyed.get(f"/v1/jobs/{job['id']}/conversation", headers=bearer(ADMIN_KEY))
    assert answer.status_code == 200, answer.text
    assert [(m["role"], m["content"]) for m in answer.json()["messages"]] == \
        [(m["role"], m["content"]) for m in messages]
    outsider = await create_key(keyed, "bob", read=[["bob"]])
    hidden = await keyed.get(f"/v1/jobs/{job['id']}/conversation", headers=bearer(outsider))
    assert hidden.status_code == 404
