"""The data commands work on the settings' database, report clearly, and fail non-zero."""

import json
import os
import subprocess
import sys

import httpx
import pytest

from tests.conftest import model_path


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url,
           "EMBEDDING_MODEL_PATH": model_path() or ""}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def seeded(live_server, database_url):
    items = [{"namespace": ["memories", "alice"], "key": f"k{i}", "content": f"fact {i}"}
             for i in range(5)] + [{"namespace": ["memories", "alice2"], "content": "other"}]
    assert httpx.post(f"{live_server.url}/v1/memories/batch",
                      json={"items": items}).status_code == 201
    return database_url


def test_stats_export_forget_import_round_trip(seeded, tmp_path):
    stats = cli(seeded, "stats", "--prefix", "memories.alice")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["memories"] == 5

    exported = cli(seeded, "export", "--prefix", "memories.alice")
    assert exported.returncode == 0, exported.stderr
    dump = tmp_path / "alice.jsonl"
    dump.write_text(exported.stdout)
    assert len(exported.stdout.splitlines()) == 5

    dry = cli(seeded, "forget", "--prefix", "memories.alice", "--dry-run")
    assert dry.stdout.strip() == "would remove: 5 items, 5 vectors, 5 history, 0 jobs, 0 replays"
    gone = cli(seeded, "forget", "--prefix", "memories.alice")
    assert gone.returncode == 0 and gone.stdout.startswith("removed: 5 items")

    dump.write_text(dump.read_text() + "{broken\n")
    imported = cli(seeded, "import", str(dump))
    assert "inserted 5, updated 0, unchanged 0, rejected 1" in imported.stdout
    assert "line 6: not JSON" in imported.stderr
    assert imported.returncode == 1  # a rejected line is a failure to report
    after = json.loads(cli(seeded, "stats", "--prefix", "memories").stdout)
    assert after["memories"] == 6 and after["namespaces"] == 2


def test_bad_prefix_and_missing_file_fail_with_a_message(database_url, tmp_path):
    bad = cli(database_url, "forget", "--prefix", "memories..alice")
    assert bad.returncode == 1
    assert bad.stderr.strip() == "error: prefix labels must be non-empty strings, got ''"
    missing = cli(database_url, "import", str(tmp_path / "nope.jsonl"))
    assert missing.returncode != 0 and "does not exist" in missing.stderr


def test_cli_import_refuses_what_the_http_import_refuses(database_url, tmp_path):
    """Invalid UTF-8 is rejected by line number (not replaced with U+FFFD), and the depth
    cap is the server's MAX_VALUE_DEPTH setting."""
    good = json.dumps({"namespace": ["memories", "bob"], "key": "ok",
                       "value": {"kind": "Memory", "content": {"content": "fine"}}})
    bad_bytes = json.dumps({"namespace": ["memories", "bob"], "key": "latin",
                            "value": {"kind": "Memory", "content": {"content": "caf"}}})
    bad_bytes = bad_bytes.encode().replace(b'"caf"', b'"caf\xe9"')
    deep = {"namespace": ["memories", "bob"], "key": "deep",
            "value": {"kind": "Memory", "content": {"content": "x", "n": [[[["y"]]]]}}}
    dump = tmp_path / "mixed.jsonl"
    dump.write_bytes(good.encode() + b"\n" + bad_bytes + b"\n" + json.dumps(deep).encode())
    env_cli = subprocess.run(
        [sys.executable, "-m", "app.cli", "import", str(dump)], capture_output=True,
        text=True, timeout=120, env={**os.environ, "DATABASE_URL": database_url,
                                     "EMBEDDING_MODEL_PATH": model_path() or "",
                                     "MAX_VALUE_DEPTH": "5"})
    assert "inserted 1, updated 0, unchanged 0, rejected 2" in env_cli.stdout, env_cli.stdout
    assert "line 2: not UTF-8" in env_cli.stderr, env_cli.stderr
    assert "line 3:" in env_cli.stderr and "MAX_VALUE_DEPTH" in env_cli.stderr
