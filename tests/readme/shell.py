"""Run shell code command by command in one bash process, as a reader pastes it: variables
set by one command (`ADMIN_KEY=$(...)`) reach the next, and each command's status and output
are known before the next command's placeholders are filled."""

import os
import select
import shlex
import signal
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path


def commands(code: str) -> list[str]:
    """Split shell code into complete commands: a command ends at a line end outside quotes
    and without a trailing backslash. Comment-only and blank lines are dropped."""
    found, pending = [], ""
    for line in code.splitlines():
        pending += line + "\n"
        if line.endswith("\\") or not _balanced(pending):
            continue
        if pending.strip() and not pending.lstrip().startswith("#"):
            found.append(pending.rstrip("\n"))
        pending = ""
    if pending.strip():
        raise ValueError(f"unterminated shell command: {pending!r}")
    return found


def _balanced(text: str) -> bool:
    try:
        shlex.split(text, comments=True)
    except ValueError:  # "No closing quotation"
        return False
    return True


@dataclass
class Result:
    command: str
    status: int
    output: str  # stdout
    errors: str  # stderr


class Shell:
    """One `bash` process; `run` feeds it a command and waits for its status."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd = cwd
        self.process = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=cwd, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True,
                                        start_new_session=True)  # its own process group
        self.count = 0

    def run(self, command: str, timeout: float = 60) -> Result:
        self.count += 1
        out, err = self.cwd / f".cmd{self.count}.out", self.cwd / f".cmd{self.count}.err"
        done = f"__done_{uuid.uuid4().hex}__"
        # The command's own redirections (`> alice.jsonl`) win over the group's.
        self.process.stdin.write(f"{{ {command}\n}} >{out} 2>{err} </dev/null; "
                                 f"echo {done}$?\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError(f"{command!r} still runs after {timeout} s")
        line = self.process.stdout.readline()  # the command's output goes to the files
        if not line.startswith(done):
            raise RuntimeError(f"bash exited while running {command!r}")
        return Result(command, int(line[len(done):]), out.read_text(errors="replace"),
                      err.read_text(errors="replace"))

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a command still running: end it and its children
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
