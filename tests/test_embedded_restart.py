"""`make run`'s path: no DATABASE_URL starts an embedded Postgres whose data survives restarts."""

import httpx

from tests.cli.helpers import wait_postmaster_gone
from tests.conftest import model_path
from tests.live_server import LiveServer


def test_embedded_database_keeps_memories_across_restarts(tmp_path):
    env = {"DATABASE_URL": "", "MEMORY_DATA_DIR": str(tmp_path / "data"),
           "EMBEDDING_MODEL_PATH": model_path() or ""}
    body = {"namespace": ["memories", "alice"], "key": "theme",
            "content": "User prefers dark mode"}
    with LiveServer.start(env) as server:
        assert httpx.post(f"{server.url}/v1/memories", json=body).status_code == 201
    # Stopped (SIGTERM), the server takes its postgres with it: a restart starts it anew.
    assert wait_postmaster_gone(tmp_path / "data" / "postgres", 10)
    with LiveServer.start(env) as server:
        found = httpx.post(f"{server.url}/v1/search",
                           json={"query": "which theme?", "limit": 1}).json()
    assert [i["key"] for i in found["items"]] == ["theme"]
    assert wait_postmaster_gone(tmp_path / "data" / "postgres", 10)
    assert (tmp_path / "data" / "postgres" / "PG_VERSION").exists()
