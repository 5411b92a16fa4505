"""A model that fills the offered tool's JSON Schema literally, as OpenAI `strict` function
calling, grammar-constrained local servers (vLLM, llama.cpp, Ollama) and small models do.

`schema_literal(body)` is a responder for FakeLLMServer.script: it reads only the request's
tool (OpenAI `tools[].function.parameters`, Anthropic `tools[].input_schema`) and the
conversation, never the system prompt. The top-level array gets one item per sentence the user
said; every required property is filled (strings with that sentence, enums with their first
value, anyOf with its first alternative), optional ones are left out. A bare
`{"type": "object"}` becomes `{}`, which is what such a model sends.

`strict_violation(schema)` is OpenAI's check of a `strict: true` function: the first reason it
would answer 400 for, or None.
"""

import json
import re
from typing import Any

_CONVERSATION = re.compile(r"<conversation>\n(.*)\n</conversation>", re.S)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def user_sentences(body: dict[str, Any]) -> list[str]:
    """What the user said, sentence by sentence: the <conversation> block's user turns when the
    prompt has one, else the user messages' text."""
    from tests.fakes.llm_server import user_text

    text = user_text(body)
    match = _CONVERSATION.search(text)
    if match:
        turns = json.loads(match.group(1))
        text = " ".join(t["content"] for t in turns if t["role"] == "user")
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def schema_literal(body: dict[str, Any]) -> dict[str, Any]:
    from tests.fakes.llm_server import _tool

    schema = _tool(body)[2]
    facts = user_sentences(body) or [""]
    return _Filler(schema).fill(schema, facts, facts[0], top=True)


class _Filler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root

    def fill(self, schema: dict[str, Any], facts: list[str], fact: str, top: bool = False) -> Any:
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            return self.fill(self.root.get("$defs", {})[name], facts, fact, top)
        if "enum" in schema:
            return schema["enum"][0]
        if "const" in schema:
            return schema["const"]
        if "anyOf" in schema:
            return self.fill(schema["anyOf"][0], facts, fact, top)
        types = schema.get("type")
        kind = next((t for t in types if t != "null"), "null") if isinstance(types, list) \
            else types
        if kind == "object":
            required = schema.get("required") or []
            properties = schema.get("properties") or {}
            return {name: self.fill(properties.get(name, {}), facts, fact, top)
                    for name in required}
        if kind == "array":
            if top:  # the outermost list: one item per thing the user said
                return [self.fill(schema.get("items", {}), facts, f) for f in facts]
            return [self.fill(schema.get("items", {}), facts, fact)]
        return {"string": fact, "integer": 0, "number": 0, "boolean": False}.get(kind)


def strict_violation(schema: Any, context: tuple[str, ...] = ()) -> str | None:
    """OpenAI's rules for a strict function's parameters: objects closed, every property
    required, no free-form objects."""
    if not isinstance(schema, dict):
        return f"In context={context}, schema must be a JSON Schema object"
    types = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    if "object" in types:
        properties = schema.get("properties") or {}
        if schema.get("additionalProperties") is not False:
            return (f"In context={context}, 'additionalProperties' is required to be supplied "
                    "and to be false.")
        missing = [p for p in properties if p not in (schema.get("required") or [])]
        if missing:
            return (f"In context={context}, 'required' is required to be supplied and to be an "
                    f"array including every key in properties. Missing '{missing[0]}'.")
        for name, sub in properties.items():
            if reason := strict_violation(sub, (*context, "properties", name)):
                return reason
    if "items" in schema and (reason := strict_violation(schema["items"], (*context, "items"))):
        return reason
    for i, alternative in enumerate(schema.get("anyOf") or []):
        if reason := strict_violation(alternative, (*context, "anyOf", str(i))):
            return reason
    for name, sub in (schema.get("$defs") or {}).items():
        if reason := strict_violation(sub, (*context, "$defs", name)):
            return reason
    return None
