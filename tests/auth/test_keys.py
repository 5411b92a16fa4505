"""API keys: created once, stored as a hash, both headers, revocation, admin-only routes,
identity filling {user_id}, open access only while no key exists, refusal to listen openly."""

import asyncio
import os
import subprocess
import sys

import psycopg
import pytest

from app.auth.keys import OPEN_RECHECK_SECONDS, InsecureStart, KeyService
from tests.auth.conftest import ADMIN_KEY, bearer, create_key
from tests.conftest import model_path
from tests.live_server import free_port


async def test_a_key_is_shown_once_and_stored_as_a_hash(keyed, settings):
    created = await keyed.post("/v1/keys", headers=bearer(ADMIN_KEY), json={
        "name": "agent", "identity": "alice",
        "grants": [{"prefix": ["memories", "alice"], "access": "write"}]})
    assert created.status_code == 201
    body = created.json()
    key = body["key"]
    assert key.startswith(body["prefix"]) and len(body["prefix"]) < len(key) // 3
    listed = (await keyed.get("/v1/keys", headers=bearer(ADMIN_KEY))).json()["keys"]
    assert [k["id"] for k in listed] == [body["id"]]
    assert key not in str(listed)
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute("SELECT * FROM api_keys").fetchone()
    assert key not in str(row)


async def test_bearer_and_x_api_key_both_work_and_revoked_keys_stop(keyed):
    key = await create_key(keyed, "agent", write=[["memories", "alice"]])
    params = {"namespace": "memories.alice"}
    assert (await keyed.get("/v1/memories", params=params)).status_code == 401
    assert (await keyed.get("/v1/memories", params=params,
                            headers=bearer("msk_not-a-key"))).status_code == 401
    assert (await keyed.get("/v1/memories", params=params,
                            headers=bearer(key))).status_code == 200
    assert (await keyed.get("/v1/memories", params=params,
                            headers={"x-api-key": key})).status_code == 200
    key_id = (await keyed.get("/v1/keys", headers=bearer(ADMIN_KEY))).json()["keys"][0]["id"]
    revoked = await keyed.delete(f"/v1/keys/{key_id}", headers=bearer(ADMIN_KEY))
    assert revoked.json()["revoked_at"] is not None
    refused = await keyed.get("/v1/memories", params=params, headers=bearer(key))
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert refused.headers["www-authenticate"] == "Bearer"


async def test_only_admin_keys_manage_keys_and_profiles(keyed):
    key = await create_key(keyed, "agent", write=[["memories", "alice"]])
    assert (await keyed.get("/v1/keys", headers=bearer(key))).status_code == 403
    assert (await keyed.post("/v1/keys", headers=bearer(key), json={
        "name": "escalate", "admin": True})).status_code == 403
    assert (await keyed.get("/v1/profiles", headers=bearer(key))).status_code == 200
    refused = await keyed.post("/v1/profiles", headers=bearer(key), json={
        "name": "mine", "description": "x"})
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    admin = await create_key(keyed, "ops", admin=True)
    assert (await keyed.get("/v1/keys", headers=bearer(admin))).status_code == 200


async def test_identity_fills_user_id_and_cannot_be_overridden(keyed):
    key = await create_key(keyed, "alice's agent", identity="alice",
                           write=[["memories", "alice"]])
    call = {"name": "manage_memory", "arguments": {"content": "likes tea"}}
    made = await keyed.post("/v1/tools/execute", headers=bearer(key), json=call)
    assert made.status_code == 200, made.text
    assert made.json()["namespace"] == ["memories", "alice"]
    other = await keyed.post("/v1/tools/execute", headers=bearer(key),
                             json={**call, "config": {"user_id": "bob"}})
    assert other.status_code == 403 and "acts as user_id 'alice'" in other.json()["detail"]
    listed = await keyed.get("/v1/memories", headers=bearer(ADMIN_KEY),
                             params={"namespace": "memories.bob"})
    assert listed.json()["items"] == []


async def test_bad_key_requests_say_what_to_fix(keyed):
    for body in ({"name": ""}, {"name": "x", "identity": "a.b"},
                 {"name": "x", "grants": [{"prefix": ["memories"], "access": "delete"}]},
                 {"name": "x", "grants": [{"prefix": ["a.b"], "access": "read"}]}):
        response = await keyed.post("/v1/keys", headers=bearer(ADMIN_KEY), json=body)
        assert response.status_code == 422, body
    assert (await keyed.get("/v1/keys", headers=bearer(ADMIN_KEY))).json()["keys"] == []
    missing = await keyed.delete("/v1/keys/00000000-0000-0000-0000-000000000000",
                                 headers=bearer(ADMIN_KEY))
    assert missing.status_code == 404


async def test_open_access_only_while_no_key_exists(client, settings):
    assert (await client.get("/v1/namespaces")).status_code == 200
    keys: KeyService = client._transport.app.state.runtime.keys
    with pytest.raises(InsecureStart, match="ADMIN_API_KEY"):
        await keys.check_exposure("0.0.0.0")
    await keys.check_exposure("127.0.0.1")
    await keys.check_exposure("::1")
    from app.auth.schemas import KeyCreate
    await keys.create(KeyCreate(name="first", grants=[{"prefix": [], "access": "read"}]))
    await keys.check_exposure("0.0.0.0")  # a key exists: someone can sign in
    assert (await client.get("/v1/namespaces")).status_code == 401


async def test_a_key_made_by_another_process_ends_open_access_within_a_second(
        client, database_url):
    assert (await client.get("/v1/namespaces")).status_code == 200
    made = cli(database_url, "keys", "create", "--name", "cli", "--read", "memories")
    assert made.returncode == 0, made.stderr
    await asyncio.sleep(OPEN_RECHECK_SECONDS + 0.1)
    assert (await client.get("/v1/namespaces")).status_code == 401


def cli(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "DATABASE_URL": database_url,
            "EMBEDDING_MODEL_PATH": model_path() or "", **env}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=full,
                          capture_output=True, text=True, timeout=300)


def test_serving_beyond_loopback_without_keys_refuses_then_cli_keys_fix_it(database_url):
    refused = cli(database_url, "serve", HOST="0.0.0.0", PORT=str(free_port()))
    assert refused.returncode != 0
    assert "memory-service keys create" in refused.stdout + refused.stderr

    made = cli(database_url, "keys", "create", "--name", "agent", "--identity", "alice",
               "--write", "memories.alice", "--read", "shared")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("msk_") and "read shared, write memories.alice" in made.stderr
    listed = cli(database_url, "keys", "list")
    assert key[:12] in listed.stdout and key not in listed.stdout
    key_id = listed.stdout.split()[0]
    assert cli(database_url, "keys", "revoke", key_id).returncode == 0
    assert "revoked" in cli(database_url, "keys", "list", "--all").stdout
    bad = cli(database_url, "keys", "create", "--name", "x", "--write", "a..b")
    assert bad.returncode != 0 and "error:" in bad.stderr
