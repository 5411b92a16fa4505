"""The README's placeholders, filled from earlier answers as a reader would copy them: the
URL of the server under test for the README's `localhost:8000`, and ids such as JOB_ID from
the JSON a previous command printed."""

import json
import re
from collections.abc import Callable
from typing import Any

README_URLS = ("http://localhost:8000", "http://127.0.0.1:8000", "localhost:8000",
               "127.0.0.1:8000")

# placeholder -> (text of the command that answered it, where the id is in its JSON answer)
SOURCES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "JOB_ID": ("/v1/jobs/extract", lambda answer: answer["id"]),
    "KEY_ID": ("/v1/keys", lambda answer: answer["id"]),
    "CHANGE_ID": ("/v1/history?", lambda answer: answer["changes"][-1]["id"]),
}
PLACEHOLDER = re.compile(r"\b(" + "|".join(SOURCES) + r")\b")


class Answers:
    def __init__(self, url: str) -> None:
        self.url = url
        self.answered: list[tuple[str, str]] = []  # (command, its output)

    def record(self, command: str, output: str) -> None:
        self.answered.append((command, output))

    def fill(self, code: str) -> str:
        for readme_url in README_URLS:
            code = code.replace(readme_url, self.url)
        return PLACEHOLDER.sub(lambda m: str(self.value(m[1])), code)

    def value(self, placeholder: str) -> Any:
        text, extract = SOURCES[placeholder]
        for command, output in reversed(self.answered):
            if text in command:  # a comment may name the route too: its output is no JSON
                try:
                    return extract(json.loads(output))
                except (ValueError, KeyError, IndexError, TypeError):
                    continue
        raise AssertionError(f"{placeholder} is used before any command like {text!r} "
                             "answered it with the id")
