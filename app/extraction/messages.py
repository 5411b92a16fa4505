"""Conversations as they arrive (OpenAI or LangChain message dicts) reduced to role + text."""

from dataclasses import dataclass
from typing import Any

from app.errors import InvalidInput

ROLES = {"human": "user", "ai": "assistant", "user": "user", "assistant": "assistant",
          "system": "system", "tool": "tool", "function": "tool", "developer": "system"}


@dataclass(frozen=True)
class Turn:
    role: str
    text: str


def normalize(messages: list[dict[str, Any]]) -> list[Turn]:
    turns = []
    for i, message in enumerate(messages):
        raw_role = message.get("role") or message.get("type")
        role = ROLES.get(str(raw_role).lower()) if raw_role else None
        if role is None:
            raise InvalidInput(f"messages[{i}] has role {raw_role!r}; use user, assistant, "
                               "system or tool (LangChain's human/ai work too)")
        text = text_of(message.get("content"))
        if text.strip():
            turns.append(Turn(role, text))
    if not turns:
        raise InvalidInput("messages hold no text to learn from")
    return turns


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}, ...]
        return "\n".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return "" if content is None else str(content)
