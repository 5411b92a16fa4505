"""How the README test reads README.md: its blocks, markers and shell commands."""

import os

import pytest

from tests.readme.blocks import DOCUMENTATION, PYTHON, SHELL, parse, readme_blocks
from tests.readme.shell import Shell, commands


def test_every_block_is_run_or_shown_on_purpose():
    """A block in a language the test neither runs nor knows as documentation (say
    ```console) would go untested unnoticed."""
    unknown = [str(b) for b in readme_blocks() if b.language not in SHELL | PYTHON | DOCUMENTATION]
    assert unknown == []


def test_blocks_not_run_are_few_and_say_why():
    skipped = [b for b in readme_blocks() if b.skipped]
    assert len(skipped) <= 4, [f"{b}: {b.skipped}" for b in skipped]
    assert all(b.runnable for b in skipped), "a marker on a block that is never run anyway"


def test_markers_apply_to_the_next_block_only():
    blocks = parse('<!-- readme-test: skip (needs docker) -->\n```bash\ndocker ps\n```\n'
                   'prose may show `<!-- readme-test: skip (why) -->` in a sentence\n'
                   '<!-- readme-test: skip "make run" (the test runs the server) -->\n'
                   '```bash\nmake run\ncurl x\n```\n```python\nprint(1)\n```\n')
    assert [(b.language, b.skipped, b.skip_prefixes, b.line) for b in blocks] == [
        ("bash", "needs docker", [], 2), ("bash", None, ["make run"], 7),
        ("python", None, [], 11)]


@pytest.mark.parametrize("text", [
    "<!-- readme-test: skip -->\n```bash\nx\n```\n",  # no reason
    "<!-- readme-test: skip (why) -->\n\n```bash\nx\n```\n",  # not right before the fence
])
def test_a_marker_without_reason_or_fence_is_refused(text):
    with pytest.raises(ValueError, match="readme-test marker"):
        parse(text)


def test_commands_split_where_a_reader_presses_enter():
    code = ("# a comment\n"
            "curl -s x -H 'a: b' \\\n  -d '{\"k\":\n  \"I'\"'\"'m\"}'   # note\n"
            "\n"
            "ADMIN_KEY=$(memory-service keys create --name ops --admin)\n")
    assert commands(code) == [
        "curl -s x -H 'a: b' \\\n  -d '{\"k\":\n  \"I'\"'\"'m\"}'   # note",
        "ADMIN_KEY=$(memory-service keys create --name ops --admin)"]


def test_an_unterminated_command_is_an_error():
    with pytest.raises(ValueError, match="unterminated"):
        commands("curl -d '{\n")


def test_the_shell_keeps_variables_and_reports_each_command(tmp_path):
    shell = Shell(tmp_path, {"PATH": os.environ["PATH"]})
    try:
        assert shell.run("KEY=$(echo k1)").status == 0
        result = shell.run("echo $KEY; echo oops >&2; false")
        assert (result.status, result.output, result.errors) == (1, "k1\n", "oops\n")
    finally:
        shell.close()
