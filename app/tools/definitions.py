"""The memory tools an agent's model calls: names, descriptions and JSON Schemas.

manage_memory and search_memory describe themselves as LangMem's create_manage_memory_tool
and create_search_memory_tool do (same descriptions, same arguments), so a prompt tuned for
LangMem works unchanged; extract_memories hands a conversation to background extraction.
One definition serves every door: OpenAI and Anthropic tool formats over HTTP, and MCP.
"""

from dataclasses import dataclass
from typing import Any, Literal

MANAGE_MEMORY = "manage_memory"
SEARCH_MEMORY = "search_memory"
EXTRACT_MEMORIES = "extract_memories"
TOOL_NAMES = (MANAGE_MEMORY, SEARCH_MEMORY, EXTRACT_MEMORIES)
AGENT_TOOLS = (MANAGE_MEMORY, SEARCH_MEMORY)  # what GET /v1/tools returns by default

Action = Literal["create", "update", "delete"]
ACTIONS: tuple[Action, ...] = ("create", "update", "delete")
Format = Literal["openai", "anthropic"]

# LangMem's default instructions for manage_memory, word for word.
MANAGE_INSTRUCTIONS = (
    "Proactively call this tool when you:\n\n"
    "1. Identify a new USER preference.\n"
    "2. Receive an explicit USER request to remember something or otherwise alter your "
    "behavior.\n"
    "3. Are working and want to record important context.\n"
    "4. Identify that an existing MEMORY is incorrect or outdated.\n"
)
SEARCH_DESCRIPTION = ("Search your long-term memories for information relevant to your current "
                      "context.")
EXTRACT_DESCRIPTION = (
    "Submit a conversation to remember: the memory service extracts new facts and "
    "preferences from it, updates or deletes memories it contradicts, and stores the result "
    "in the background (this call returns at once with a job id). Send the whole "
    "conversation or its recent turns; a newer submission with the same thread_id replaces "
    "one that has not started yet."
)


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema (draft 2020-12) of the arguments

    def as_format(self, fmt: Format) -> dict[str, Any]:
        if fmt == "anthropic":
            return {"name": self.name, "description": self.description,
                    "input_schema": self.parameters}
        return {"type": "function", "function": {"name": self.name,
                                                 "description": self.description,
                                                 "parameters": self.parameters}}


def _nullable(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}], "default": None, "description": description}


def manage_memory_spec(actions: tuple[Action, ...] = ACTIONS) -> ToolSpec:
    """LangMem's manage_memory for these permitted actions (its description and arguments)."""
    if len(actions) == 1:
        verbs = f"{actions[0]} a memory"
    elif len(actions) == 2:
        verbs = f"{actions[0].capitalize()} or {actions[1]} a memory"
    else:
        verbs = f"{', '.join((actions[0].capitalize(), *actions[1:-1]))}, or {actions[-1]} a memory"
    description = (f"{verbs} to persist across conversations.\n"
                   "Include the MEMORY ID when updating or deleting a MEMORY. Omit when creating "
                   "a new MEMORY - it will be created for you.\n"
                   f"{MANAGE_INSTRUCTIONS}").strip()
    default_action = "create" if "create" in actions else actions[0]
    return ToolSpec(MANAGE_MEMORY, description, {
        "type": "object",
        "properties": {
            "content": _nullable({"type": "string"}, "The memory, as a standalone fact or "
                                 "preference. Required to create or update."),
            "action": {"type": "string", "enum": list(actions), "default": default_action,
                       "description": "What to do with the memory"},
            "id": _nullable({"type": "string"}, "The MEMORY ID to update or delete; omit it "
                            "when creating"),
        },
        "required": [],
        "additionalProperties": False,
    })


TIME_ARGUMENTS = {"created_after": "created at or after this", "created_before":
                  "created before this", "updated_after": "last updated at or after this",
                  "updated_before": "last updated before this"}


def search_memory_spec(max_limit: int) -> ToolSpec:
    return ToolSpec(SEARCH_MEMORY, SEARCH_DESCRIPTION, {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "What to look for, in natural language"},
            "limit": {"type": "integer", "minimum": 1, "maximum": max_limit, "default": 10,
                      "description": "At most this many memories"},
            "offset": {"type": "integer", "minimum": 0, "default": 0,
                       "description": "Skip this many (the next page)"},
            "filter": _nullable({"type": "object", "additionalProperties": True},
                                "Match stored value fields, e.g. {\"kind\": \"Memory\"}; "
                                "operators $eq $ne $gt $gte $lt $lte"),
            # Beyond LangMem's arguments (optional, so its prompts work unchanged).
            **{name: {"type": "string", "maxLength": 64, "description": f"Only memories "
                      f"{what}: an ISO 8601 date or date-time (a date is its start; no "
                      f"offset means UTC)"} for name, what in TIME_ARGUMENTS.items()},
        },
        "required": ["query"],
        "additionalProperties": False,
    })


def extract_memories_spec() -> ToolSpec:
    return ToolSpec(EXTRACT_MEMORIES, EXTRACT_DESCRIPTION, {
        "type": "object",
        "properties": {
            "messages": {
                "type": "array", "minItems": 1,
                "description": "The conversation, oldest first",
                "items": {
                    "type": "object",
                    "properties": {
                        "role": {"type": "string", "enum": ["user", "assistant", "system"]},
                        "content": {"type": "string"},
                    },
                    "required": ["role", "content"],
                },
            },
            "thread_id": _nullable({"type": "string", "minLength": 1, "maxLength": 256},
                                   "The conversation's id; omitted, each submission runs on "
                                   "its own"),
            "after_seconds": {"type": "number", "minimum": 0, "maximum": 86_400, "default": 0,
                              "description": "Wait until the thread has been quiet this long"},
        },
        "required": ["messages"],
        "additionalProperties": False,
    })
