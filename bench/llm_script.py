"""What the fake LLM answers during the extraction and debounce scenarios.

One responder for every request (tests/fakes/llm_server.py calls it with the request body):
it finds which conversation of bench/conversations.py the request is about and answers with
that conversation's operations in the tool format the request offers:

- our service offers `apply_memory_operations`: one call with insert/update/delete
  operations, updates and deletes naming the ids the prompt showed;
- LangMem (trustcall) offers `Memory` (a new memory), and with existing memories also
  `PatchDoc` (JSON Patch on one of them) and `RemoveDoc`: parallel tool calls, one per
  operation, as its prompt asks ("All operations must be done in single parallel multi-tool
  call");
- LangMem's optional query model offers `search_memory` alone: one search per user message.

An update or delete of a memory the request did not show cannot name it: like a real model,
the responder then writes the new fact as an insert (and drops the delete), and counts the
miss in `MISSES`, so the report can say which caller showed the model too little.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from bench.conversations import CONVERSATIONS, Conversation
from tests.fakes.llm_server import NoToolCall, ToolCall, count_words, schema_json

OURS_TOOL = "apply_memory_operations"
SEARCH_TOOL = "search_memory"
MISSES: Counter[str] = Counter()  # "<format>:<user>" -> operations whose memory was not shown
# Set while the "ours_repair" system runs: our first answer's first operation comes without
# its content (what a model filling an untyped schema sent), the repair call fixes it.
BREAK_FIRST = {"on": False}
REPAIR_MARK = "proposed operations that were rejected"
_INSTANCE = re.compile(r'<instance id=(\S+) schema_type="[^"]*">\n(.*?)\n</instance>', re.S)


def _texts(body: dict[str, Any]) -> str:
    parts = []
    for m in body.get("messages", []):
        content = m.get("content")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        parts.append(content or "")
    return "\n".join(parts)


def _tool_names(body: dict[str, Any]) -> list[str]:
    return [t.get("function", t).get("name", "") for t in body.get("tools") or []]


def conversation_of(text: str) -> Conversation | None:
    return next((c for c in CONVERSATIONS if c.turns[0] in text), None)


def respond(body: dict[str, Any]) -> Any:
    text = _texts(body)
    conversation = conversation_of(text)
    tools = _tool_names(body)
    if OURS_TOOL in tools:
        ops = _ours(conversation, text)
        if not BREAK_FIRST["on"] or not ops["operations"]:
            return ops
        if REPAIR_MARK in text:  # the repair call: the operation it was shown, corrected
            return {"operations": ops["operations"][:1]}
        first = {**ops["operations"][0], "content": {}}
        return {"operations": [first, *ops["operations"][1:]]}
    if tools == [SEARCH_TOOL]:  # LangMem's query model: one search per user message
        if conversation is None:
            return NoToolCall("No search needed.")
        return [ToolCall(SEARCH_TOOL, {"query": t}) for t in conversation.turns[0::2]]
    return _langmem(conversation, text, tools)


def _ours(c: Conversation | None, prompt: str) -> dict[str, Any]:
    if c is None:
        return {"operations": []}
    shown = {}
    for line in prompt.splitlines():
        if line.startswith('{"id":'):
            memory = json.loads(line)
            shown[memory["content"].get("content")] = memory["id"]
    ops: list[dict[str, Any]] = [
        {"action": "insert", "kind": "Memory", "content": {"content": t}} for t in c.inserts]
    for old, new in c.updates:
        if old in shown:
            ops.append({"action": "update", "id": shown[old], "content": {"content": new}})
        else:
            MISSES[f"ours:{c.user}"] += 1
            ops.append({"action": "insert", "kind": "Memory", "content": {"content": new}})
    for old in c.deletes:
        if old in shown:
            ops.append({"action": "delete", "id": shown[old]})
        else:
            MISSES[f"ours:{c.user}"] += 1
    return {"operations": ops}


def _langmem(c: Conversation | None, text: str, tools: list[str]) -> Any:
    if c is None:
        return NoToolCall("Nothing worth remembering.")
    shown = {body: ident for ident, body in _INSTANCE.findall(text)}

    def id_of(old: str) -> str | None:
        return next((ident for body, ident in shown.items() if old in body), None)

    calls = [ToolCall("Memory", {"content": t}) for t in c.inserts]
    for old, new in c.updates:
        ident = id_of(old)
        if ident and "PatchDoc" in tools:
            calls.append(ToolCall("PatchDoc", {
                "json_doc_id": ident, "planned_edits": "replace /content with the new fact",
                "patches": [{"op": "replace", "path": "/content", "value": new}]}))
        else:
            MISSES[f"langmem:{c.user}"] += 1
            calls.append(ToolCall("Memory", {"content": new}))
    for old in c.deletes:
        ident = id_of(old)
        if ident and "RemoveDoc" in tools:
            calls.append(ToolCall("RemoveDoc", {"json_doc_id": ident}))
        else:
            MISSES[f"langmem:{c.user}"] += 1
    return calls or NoToolCall("Nothing worth remembering.")


def all_tools_prompt_tokens(body: dict[str, Any]) -> int:
    """The fake's word count of a request with every tool offered counted, not only the
    forced or first one (tests/fakes/llm_server.py counts one tool's schema)."""
    words = count_words(_texts(body))
    for tool in body.get("tools") or []:
        spec = tool.get("function", tool)
        words += sum(count_words(t) for t in (spec.get("name", ""), spec.get("description", ""),
                                              schema_json(spec.get("parameters", {}))))
    return words
