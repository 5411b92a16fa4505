"""Registering, listing, changing, disabling and deleting endpoints; bad input is a 422 that
says what to fix; the secret is shown once."""

import asyncio

from standardwebhooks import Webhook

from tests.webhooks.conftest import deliveries, received, register

GIVEN = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # 24 bytes of base64


async def test_register_list_update_delete(hook_client, receiver):
    created = await hook_client.post("/v1/webhooks", json={
        "url": receiver.url, "event_types": ["memory.created", "memory.created"],
        "namespace_prefix": ["memories"], "description": "audit"})
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_") and hook["enabled"] is True
    assert hook["event_types"] == ["memory.created"]
    Webhook(hook["secret"])  # an independent implementation accepts it
    listed = (await hook_client.get("/v1/webhooks")).json()["webhooks"]
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    one = await hook_client.get(f"/v1/webhooks/{hook['id']}")
    assert one.json()["namespace_prefix"] == ["memories"] and "secret" not in one.json()
    changed = await hook_client.patch(f"/v1/webhooks/{hook['id']}", json={
        "event_types": ["memory.deleted"], "namespace_prefix": None})
    assert changed.status_code == 200, changed.text
    assert changed.json()["event_types"] == ["memory.deleted"]
    assert changed.json()["namespace_prefix"] is None and "secret" not in changed.json()
    rotated = (await hook_client.patch(f"/v1/webhooks/{hook['id']}",
                                       json={"rotate_secret": True})).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != hook["secret"]
    assert (await hook_client.delete(f"/v1/webhooks/{hook['id']}")).status_code == 204
    assert (await hook_client.get(f"/v1/webhooks/{hook['id']}")).status_code == 404
    assert (await hook_client.delete(f"/v1/webhooks/{hook['id']}")).status_code == 404


async def test_a_given_secret_signs_and_a_disabled_endpoint_receives_nothing(
        hook_client, receiver):
    hook = await register(hook_client, receiver, secret=GIVEN)
    assert hook["secret"] == GIVEN
    off = await hook_client.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": False})
    assert off.json()["enabled"] is False
    await hook_client.post("/v1/memories", json={"namespace": ["memories", "alice"],
                                                 "key": "while-off", "content": "x"})
    await asyncio.sleep(0.4)
    assert receiver.hits == [] and await deliveries(hook_client, hook["id"]) == []
    await hook_client.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": True})
    await hook_client.post("/v1/memories", json={"namespace": ["memories", "alice"],
                                                 "key": "while-on", "content": "y"})
    got = await received(receiver, 1)
    assert [r.data["key"] for r in got] == ["while-on"] and receiver.bad_signatures == 0


async def test_bad_input_is_422_saying_what_to_fix(hook_client, receiver):
    cases = [
        ({"url": "ftp://example.com/x"}, "http:// or https://"),
        ({"url": "not a url"}, "http:// or https://"),
        ({"url": "https://user:pw@example.com/x"}, "credentials"),
        ({"url": receiver.url, "secret": "whsec_short"}, "secret"),
        ({"url": receiver.url, "secret": "plain-text-secret-of-some-length-ok"}, "whsec_"),
        ({"url": receiver.url, "event_types": ["memory.exploded"]}, "memory.created"),
        ({"url": receiver.url, "event_types": []}, "event_types"),
        ({"url": receiver.url, "namespace_prefix": ["a.b"]}, "contains '.'"),
        ({"url": receiver.url, "namespace_prefix": []}, "at least one label"),
        ({"url": receiver.url, "surprise": 1}, "surprise"),
    ]
    for body, says in cases:
        response = await hook_client.post("/v1/webhooks", json=body)
        assert response.status_code == 422, (body, response.text)
        assert says in response.text, (body, response.text)
    hook = await register(hook_client, receiver)
    for body, says in (({"url": None}, "url cannot be null"),
                       ({"rotate_secret": True, "secret": GIVEN}, "either secret")):
        response = await hook_client.patch(f"/v1/webhooks/{hook['id']}", json=body)
        assert response.status_code == 422 and says in response.text, response.text
    listed = await hook_client.get(f"/v1/webhooks/{hook['id']}/deliveries",
                                   params={"status": "lost"})
    assert listed.status_code == 422


async def test_the_routes_are_documented(hook_client):
    schema = (await hook_client.get("/openapi.json")).json()
    paths = {p for p in schema["paths"] if p.startswith("/v1/webhooks")}
    assert paths == {"/v1/webhooks", "/v1/webhooks/{webhook_id}",
                     "/v1/webhooks/{webhook_id}/deliveries",
                     "/v1/webhooks/{webhook_id}/redeliver"}
    post = schema["paths"]["/v1/webhooks"]["post"]
    assert "422" in post["responses"] and post["summary"]
