"""Idempotency-Key on the creating routes, through the whole app: a retry replays the first
response instead of creating again; another body with the same key is refused."""

from app.limits.idempotency import HEADER, IDEMPOTENT_ROUTES

NS = ["memories", "alice"]
LIST = {"namespace": "memories.alice"}


def keyed(key: str) -> dict[str, str]:
    return {HEADER: key}


async def test_a_retried_create_replays_the_first_response(client):
    body = {"namespace": NS, "content": "User prefers dark mode"}
    first = await client.post("/v1/memories", json=body, headers=keyed("create-1"))
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    # the same JSON with its keys in another order is the same request
    again = await client.post("/v1/memories", json=dict(reversed(body.items())),
                              headers=keyed("create-1"))
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.content == first.content
    assert len((await client.get("/v1/memories", params=LIST)).json()["items"]) == 1
    # without the header, or with a new key, it creates again
    assert (await client.post("/v1/memories", json=body)).status_code == 201
    assert (await client.post("/v1/memories", json=body,
                              headers=keyed("create-2"))).status_code == 201
    assert len((await client.get("/v1/memories", params=LIST)).json()["items"]) == 3


async def test_the_same_key_with_another_body_is_422(client):
    batch = {"items": [{"namespace": NS, "content": "a"}, {"namespace": NS, "content": "b"}]}
    assert (await client.post("/v1/memories/batch", json=batch,
                              headers=keyed("batch-1"))).status_code == 201
    other = {"items": [{"namespace": NS, "content": "c"}]}
    refused = await client.post("/v1/memories/batch", json=other, headers=keyed("batch-1"))
    assert refused.status_code == 422
    assert "different request body" in refused.json()["detail"]
    contents = sorted(m["value"]["content"]["content"] for m in
                      (await client.get("/v1/memories", params=LIST)).json()["items"])
    assert contents == ["a", "b"]


async def test_an_error_answer_is_replayed_too(client):
    body = {"namespace": NS, "key": "k", "content": "first"}
    await client.post("/v1/memories", json=body)
    conflict = await client.post("/v1/memories", json=body, headers=keyed("dup"))
    assert conflict.status_code == 409
    replay = await client.post("/v1/memories", json=body, headers=keyed("dup"))
    assert (replay.status_code, replay.json()) == (409, conflict.json())
    assert replay.headers["idempotent-replayed"] == "true"


async def test_extraction_now_and_queued_run_once_per_key(extract_client, llm):
    llm.script(default={"operations": [{"action": "insert", "kind": "Memory",
                                        "content": {"content": "User has a cat"}}]})
    body = {"messages": [{"role": "user", "content": "I have a cat."}], "namespace": NS}
    answers = [await extract_client.post("/v1/extract", json=body, headers=keyed("x-1"))
               for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].content == answers[1].content
    assert llm.calls == 1

    job = {**body, "thread_id": "t", "after_seconds": 3600}
    queued = [await extract_client.post("/v1/jobs/extract", json=job, headers=keyed("j-1"))
              for _ in range(2)]
    assert [q.status_code for q in queued] == [202, 202]
    assert queued[0].json()["id"] == queued[1].json()["id"]
    assert len((await extract_client.get("/v1/jobs")).json()["jobs"]) == 1


async def test_a_malformed_key_is_422(client):
    body = {"namespace": NS, "content": "x"}
    for bad in ("", "k" * 256):
        response = await client.post("/v1/memories", json=body, headers=keyed(bad))
        assert response.status_code == 422, bad
    assert (await client.get("/v1/memories", params=LIST)).json()["items"] == []


async def test_openapi_documents_the_header_on_exactly_the_idempotent_routes(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    documented = {(method.upper(), path) for path, operations in paths.items()
                  for method, operation in operations.items()
                  if any(p["name"] == HEADER and p["in"] == "header"
                         for p in operation.get("parameters", []))}
    assert documented == IDEMPOTENT_ROUTES
