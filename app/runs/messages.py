"""A run's input.messages as LangMem and LangGraph clients send them, as role + content dicts.

Accepted: OpenAI-style dicts ({"role", "content"}), LangChain message dicts (model_dump:
{"type": "human", "content", ...}), LangChain's serialized form ({"lc": 1, "type":
"constructor", "id": [..., "HumanMessage"], "kwargs": {...}}), [role, content] pairs and bare
strings (a user message), as LangChain itself coerces them. Roles are checked later, by the
extraction's own normaliser.
"""

from typing import Any

from app.errors import InvalidInput

_LC_CLASSES = {"HumanMessage": "human", "AIMessage": "ai", "SystemMessage": "system",
               "ToolMessage": "tool", "FunctionMessage": "function", "ChatMessage": "chat"}

EXAMPLE = '{"messages": [{"role": "user", "content": "I adopted a dog named Fido."}]}'


def input_messages(run_input: dict[str, Any] | None) -> list[dict[str, Any]]:
    messages = (run_input or {}).get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidInput(f"input.messages must be a non-empty list: the conversation to learn "
                           f"from, e.g. {EXAMPLE}")
    return [_message(i, m) for i, m in enumerate(messages)]


def _message(i: int, message: Any) -> dict[str, Any]:
    if isinstance(message, str):
        return {"role": "user", "content": message}
    if isinstance(message, list | tuple) and len(message) == 2 and isinstance(message[0], str):
        return {"role": message[0], "content": message[1]}
    if not isinstance(message, dict):
        raise InvalidInput(f"input.messages[{i}] is {type(message).__name__}; send "
                           "{\"role\": ..., \"content\": ...} objects")
    if message.get("lc") and message.get("type") == "constructor":
        kwargs = dict(message.get("kwargs") or {})
        class_name = (message.get("id") or [""])[-1].removesuffix("Chunk")
        kwargs.setdefault("type", _LC_CLASSES.get(class_name, class_name))
        return _message(i, kwargs)
    return message
