"""`memory-service as-of` and `changes`: the past from the history, as JSON Lines, without
loading the embedding model (EMBEDDING_MODEL_PATH points nowhere here)."""

import json
import os
import subprocess
import sys

import psycopg

NS = ["memories", "alice"]


def cli(database_url, tmp_path, *args):
    env = {**os.environ, "DATABASE_URL": database_url,
           "EMBEDDING_MODEL_PATH": str(tmp_path / "no-model")}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


async def test_as_of_and_changes_print_json_lines(client, database_url, tmp_path):
    for key in ("a", "b"):
        made = await client.post("/v1/memories", json={"namespace": NS, "key": key,
                                                       "content": f"{key} at first"})
        assert made.status_code == 201
    await client.put("/v1/memories/a", params={"namespace": "memories.alice"},
                     json={"content": "a later"})
    with psycopg.connect(database_url, autocommit=True) as conn:  # inserts in 2024, edit in 2025
        conn.execute("UPDATE memory_history SET changed_at = CASE action WHEN 'insert' "
                     "THEN timestamptz '2024-01-01Z' ELSE timestamptz '2025-01-01Z' END")

    done = cli(database_url, tmp_path, "as-of", "memories", "--at", "2024-06-01")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(m["key"], m["value"]["content"]["content"]) for m in lines] == [
        ("a", "a at first"), ("b", "b at first")]

    done = cli(database_url, tmp_path, "as-of", "memories.alice", "--at", "2025-06-01",
               "--key", "a")
    assert json.loads(done.stdout)["value"]["content"]["content"] == "a later"

    done = cli(database_url, tmp_path, "as-of", "memories", "--at", "2024-06-01",
               "--limit", "1")
    assert len(done.stdout.splitlines()) == 1 and "--offset 1" in done.stderr

    done = cli(database_url, tmp_path, "changes", "memories", "--since", "2024-06-01")
    assert done.returncode == 0, done.stderr
    [change] = [json.loads(line) for line in done.stdout.splitlines()]
    assert (change["key"], change["action"], change["before"]["content"]["content"],
            change["after"]["content"]["content"]) == ("a", "updated", "a at first", "a later")


def test_bad_input_is_one_line_and_exit_1(database_url, tmp_path):
    for args, needle in [
        (["as-of", "memories", "--at", "soon"], "at must be an ISO 8601"),
        (["changes", "memories", "--since", "2025-01-01", "--until", "2024-01-01"],
         "is later than until"),
        (["as-of", "memories.alice", "--at", "2020-01-01", "--key", "gone"],
         "no memory with key 'gone'"),
    ]:
        done = cli(database_url, tmp_path, *args)
        assert done.returncode == 1 and needle in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
