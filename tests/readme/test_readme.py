"""README.md, top to bottom, against a live server: every bash and Python block runs in
document order in one shell session (variables and files carry over), its placeholders
filled from earlier answers, and every command must succeed (curl fails on an HTTP error).
A block that cannot run here is marked in the README with its reason (test_blocks.py keeps
that list short).

Slow by design, about 70 s of CPU (as long on two idle cores; several times that on a loaded
machine, hence the timeout): like a reader, it starts a process for each of the README's CLI
commands and Python scripts, and each loads the app."""

import time

import pytest

from tests.readme.answers import Answers
from tests.readme.blocks import PYTHON, readme_blocks
from tests.readme.shell import Shell, commands

RUNNER = "tests/readme/run_python.py"


def run_block(block, shell: Shell, answers: Answers, repo: str, server_log) -> None:
    if block.language in PYTHON:
        path = shell.cwd / f"readme_{block.line}.py"
        path.write_text(answers.fill(block.code))
        steps = [f"python {repo}/{RUNNER} {path.name}"]
    else:
        steps = [c for c in commands(block.code)
                 if not any(c.startswith(p) for p in block.skip_prefixes)]
    for step in steps:
        command = answers.fill(step)
        started = time.monotonic()
        result = shell.run(command, timeout=120)
        print(f"{time.monotonic() - started:6.1f}s  {block}  {step.splitlines()[0][:80]}")
        assert result.status == 0, (
            f"{block}: `{step}` exited {result.status}\n"
            f"stdout: {result.output[-2000:]}\nstderr: {result.errors[-3000:]}\n"
            f"server log: {server_log()[-3000:]}")
        answers.record(step, result.output)


@pytest.mark.timeout(600)
def test_the_readme_runs_top_to_bottom(readme_server, readme_shell):
    from tests.conftest import REPO

    server, _ = readme_server
    answers = Answers(server.url)
    ran = 0
    for block in readme_blocks():
        if block.runnable and not block.skipped:
            run_block(block, readme_shell, answers, str(REPO), server.output)
            ran += 1
    assert ran >= 20

