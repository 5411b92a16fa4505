"""The CLI runs from anywhere, loads the embedding model only to embed, and fails fast offline."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.config import Settings
from app.embedding_folder import shared_model_folder
from app.store.embedders import EmbedderUnavailable
from app.store.lazy_embedder import load_embedder
from tests.conftest import SHARED_MODEL


def test_commands_that_do_not_embed_never_load_the_model(database_url, tmp_path):
    """A model folder that does not exist would fail any load: keys and stats never try.
    Run as the installed `memory-service` entry point, from a folder outside the checkout."""
    env = {k: v for k, v in os.environ.items() if k != "EMBEDDING_MODEL_PATH"}
    env |= {"DATABASE_URL": database_url, "EMBEDDING_MODEL_PATH": str(tmp_path / "no-model")}
    entry_point = str(Path(sys.executable).parent / "memory-service")
    for args in (["keys", "create", "--name", "ops", "--admin"], ["keys", "list"],
                 ["stats"], ["export"], ["forget", "--prefix", "memories.x", "--dry-run"]):
        done = subprocess.run([entry_point, *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (args, done.stderr)


def offline_settings(tmp_path, monkeypatch, database_url: str = "") -> dict[str, str]:
    """A model by name, an empty cache, and a hub nothing can reach, whatever this machine
    can: fastembed's download path."""
    env = {"EMBEDDING_MODEL": "fastembed:BAAI/bge-small-en-v1.5",
           "EMBEDDING_CACHE_DIR": str(tmp_path / "empty-cache"),
           "HF_ENDPOINT": "http://127.0.0.1:9", "DATABASE_URL": database_url}
    monkeypatch.delenv("EMBEDDING_MODEL_PATH", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # restored: load_embedder sets it
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


async def test_loading_a_model_offline_fails_fast_naming_the_setting(tmp_path, monkeypatch):
    """By name, with no cache and no network, fastembed retries for about 40 s; we look in
    the cache once. (The bound leaves room for importing fastembed on a busy machine.)"""
    offline_settings(tmp_path, monkeypatch)
    started = time.monotonic()
    with pytest.raises(EmbedderUnavailable, match="offline .*EMBEDDING_MODEL_PATH"):
        await load_embedder(Settings())
    assert time.monotonic() - started < 15


def test_a_command_that_embeds_says_so_in_one_line(empty_database_url, tmp_path, monkeypatch):
    env = offline_settings(tmp_path, monkeypatch, empty_database_url)
    dump = tmp_path / "one.jsonl"
    dump.write_text('{"namespace": ["memories", "a"], "key": "k", "value": '
                    '{"kind": "Memory", "content": {"content": "hello"}}}\n')
    done = subprocess.run([sys.executable, "-m", "app.cli", "import", str(dump)],
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1 and "EMBEDDING_MODEL_PATH" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr  # no log noise around it


def test_the_model_folder_make_run_finds_is_the_default(monkeypatch, tmp_path):
    """The Makefile exports ../shared/models/<model> when it exists; settings find the same
    folder relative to the checkout, whatever the working directory."""
    models = tmp_path / "shared" / "models" / "all-MiniLM-L6-v2"
    models.mkdir(parents=True)
    checkout = tmp_path / "memory-service"
    assert shared_model_folder("sentence-transformers/all-MiniLM-L6-v2", checkout) == models
    assert shared_model_folder("BAAI/bge-small-en-v1.5", checkout) is None
    monkeypatch.delenv("EMBEDDING_MODEL_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    expected = SHARED_MODEL if SHARED_MODEL.exists() else None
    assert Settings().embedding_model_path == expected
    monkeypatch.setenv("EMBEDDING_MODEL_PATH", "")  # empty: unset, not the working directory
    assert Settings().embedding_model_path == expected
    monkeypatch.setenv("EMBEDDING_MODEL", "openai:text-embedding-3-small")
    assert Settings().embedding_model_path is None


def test_an_explicit_model_path_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDDING_MODEL_PATH", str(tmp_path))
    assert Settings().embedding_model_path == tmp_path
