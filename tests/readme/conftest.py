"""A live server on a fresh database, extracting through the fake LLM server, and a bash
session whose environment is a reader's after `make run`: the venv's commands on PATH, the
server's database for the CLI, and the LLM SDKs pointed at the fake."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, fresh_database
from tests.fakes.llm_server import FakeLLMServer
from tests.live_server import LiveServer
from tests.llm_fixtures import live_server_env
from tests.readme.model import readme_model
from tests.readme.shell import Shell

# Settings the reader's shell might carry that would change what the examples do.
CLEARED = ("ADMIN_API_KEY", "LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY",
           "OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL")


@pytest.fixture
def readme_server(pg_admin_url: str, template_db: str,
                  llm: FakeLLMServer) -> Iterator[tuple[LiveServer, str]]:
    llm.script(default=readme_model)
    with fresh_database(pg_admin_url, template_db) as url, LiveServer.start(
            {**live_server_env(url, llm), "LOG_LEVEL": "warning"}) as server:
        yield server, url


@pytest.fixture
def readme_shell(readme_server, llm: FakeLLMServer, tmp_path: Path) -> Iterator[Shell]:
    """cwd: a scratch folder (the examples write alice.jsonl) that sees the checkout's
    `.venv` and `examples`, as the README's relative paths expect."""
    server, database_url = readme_server
    for name in (".venv", "examples"):
        (tmp_path / name).symlink_to(REPO / name)
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "DATABASE_URL": database_url, "LOG_LEVEL": "warning",
        "OPENAI_BASE_URL": llm.openai_url, "OPENAI_API_KEY": "sk-test",
        "ANTHROPIC_BASE_URL": llm.anthropic_url,
        "MEMORY_SERVICE_URL": server.url,  # the quickstarts' own setting for the URL
    })
    shell = Shell(tmp_path, env)
    # Every curl fails on an HTTP error and shows it, instead of printing it silently.
    shell.run('curl() { command curl --fail-with-body --show-error "$@"; }')
    try:
        yield shell
    finally:
        shell.close()
