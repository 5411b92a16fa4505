"""README.md's fenced code blocks in document order, with their `readme-test` markers.

A marker is an HTML comment on the line right before a fence (invisible on GitHub, visible
in the source):

    <!-- readme-test: skip (needs docker) -->             the block is not run
    <!-- readme-test: skip "make run" (the server ...) --> commands starting so are not run

A reason in parentheses is required, so every block that is not run says why.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SHELL = {"bash", "sh", "shell"}
PYTHON = {"python", "py"}
# Shown, never run: answers, logs, configuration files, transcripts, a folder tree.
DOCUMENTATION = {"json", "jsonc", "text", ""}
MARKER = re.compile(r'<!-- readme-test: skip(?: "(?P<prefix>[^"]+)")? \((?P<reason>[^)]+)\) -->')
FENCE = re.compile(r"^```(?P<language>\S*)\s*$")


@dataclass
class Block:
    language: str
    code: str
    line: int  # of the opening fence, 1-based
    skipped: str | None = None  # the reason, when the whole block is not run
    skip_prefixes: list[str] = field(default_factory=list)

    @property
    def runnable(self) -> bool:
        return self.language in SHELL | PYTHON

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.language})"


def parse(text: str) -> list[Block]:
    """Every fenced block; a marker line not right before a fence is an error."""
    blocks: list[Block] = []
    lines = text.splitlines()
    marker: re.Match | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("<!-- readme-test"):
            marker = MARKER.fullmatch(line.strip())
            if marker is None:
                raise ValueError(f"README.md:{i + 1}: malformed readme-test marker: {line}")
            if not FENCE.match(lines[i + 1] if i + 1 < len(lines) else ""):
                raise ValueError(f"README.md:{i + 1}: a readme-test marker must be right "
                                 "before a fence")
        elif fence := FENCE.match(line):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            block = Block(fence["language"], "\n".join(lines[i + 1:end]) + "\n", i + 1)
            if marker and marker["prefix"]:
                block.skip_prefixes.append(marker["prefix"])
            elif marker:
                block.skipped = marker["reason"]
            blocks.append(block)
            marker, i = None, end
        i += 1
    return blocks


def readme_blocks() -> list[Block]:
    return parse(README.read_text())
