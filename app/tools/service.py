"""Run a model's tool call against the memory service: the HTTP tool endpoint and MCP both
come here, so a memory tool behaves the same whichever door the call came through."""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from pydantic import ValidationError as PydanticValidationError

from app.auth.access import authorize_template
from app.config import Settings
from app.domain.history import Origin
from app.domain.principal import Principal
from app.domain.time_range import TimeRange
from app.errors import InvalidInput, NotFound
from app.extraction.schemas import ExtractionJobRequest
from app.jobs.service import JobService
from app.memories.json_guard import check_request_json, loads
from app.memories.readable import readable
from app.memories.service import MemoryService
from app.memories.values import DEFAULT_KIND, memory_value
from app.tools.definitions import (
    ACTIONS,
    AGENT_TOOLS,
    EXTRACT_MEMORIES,
    MANAGE_MEMORY,
    SEARCH_MEMORY,
    TIME_ARGUMENTS,
    TOOL_NAMES,
    Action,
    Format,
    ToolSpec,
    extract_memories_spec,
    manage_memory_spec,
    search_memory_spec,
)

DEFAULT_NAMESPACE = ("memories", "{user_id}")
CONFIG_HINT = 'pass it in config, e.g. {"{field}": "alice"}'


@dataclass
class ToolResult:
    name: str
    content: str  # what the model reads, worded as LangMem's tools word it
    namespace: tuple[str, ...]
    artifact: Any  # the same, structured: the memory written, the memories found, the job


class ToolService:
    def __init__(self, memories: MemoryService, jobs: JobService, settings: Settings) -> None:
        self.memories = memories
        self.jobs = jobs
        self.settings = settings

    # -- definitions ----------------------------------------------------------------------

    def specs(self, names: Sequence[str] | None = None,
              actions: Sequence[str] | None = None) -> list[ToolSpec]:
        permitted = self.permitted_actions(actions)
        chosen = list(names) if names else list(AGENT_TOOLS)
        unknown = [n for n in chosen if n not in TOOL_NAMES]
        if unknown:
            raise NotFound(f"no tool named {unknown[0]!r}; the tools are "
                           f"{', '.join(TOOL_NAMES)}")
        return [self._spec(name, permitted) for name in dict.fromkeys(chosen)]

    def definitions(self, fmt: Format, names: Sequence[str] | None = None,
                    actions: Sequence[str] | None = None) -> list[dict[str, Any]]:
        return [spec.as_format(fmt) for spec in self.specs(names, actions)]

    @staticmethod
    def permitted_actions(actions: Sequence[str] | None) -> tuple[Action, ...]:
        if actions is None:
            return ACTIONS
        unknown = [a for a in actions if a not in ACTIONS]
        if unknown:
            raise InvalidInput(f"unknown action {unknown[0]!r} in actions; manage_memory's "
                               f"actions are {', '.join(ACTIONS)}")
        if not actions:
            raise InvalidInput("actions cannot be empty; permit at least one of "
                               f"{', '.join(ACTIONS)}")
        return tuple(a for a in ACTIONS if a in actions)

    def _spec(self, name: str, actions: tuple[Action, ...]) -> ToolSpec:
        if name == MANAGE_MEMORY:
            return manage_memory_spec(actions)
        if name == SEARCH_MEMORY:
            return search_memory_spec(self.settings.max_page_size)
        return extract_memories_spec()

    # -- execution ------------------------------------------------------------------------

    async def execute(self, name: str, arguments: dict[str, Any] | str | None, *,
                      origin: Origin, principal: Principal,
                      namespace: Sequence[str] = DEFAULT_NAMESPACE,
                      config: dict[str, Any] | None = None,
                      actions: Sequence[str] | None = None,
                      config_hint: str = CONFIG_HINT) -> ToolResult:
        """Run one tool call. `namespace` is a template filled from `config`
        (("memories", "{user_id}") + user_id=alice); `config_hint` says where a missing value
        goes ("{field}" names it): the HTTP body's config, or the MCP URL's query string.
        A key with an identity fills {user_id} itself; the filled namespace must lie in the
        key's grants (read for search, write otherwise)."""
        if name not in TOOL_NAMES:
            raise NotFound(f"no tool named {name!r}; the tools are {', '.join(TOOL_NAMES)}")
        permitted = self.permitted_actions(actions)
        args = self._parse_arguments(name, arguments)
        # What the body's guard saw as one JSON text, parsed: NUL, NaN, depth (a 500 before)
        check_request_json(args, "arguments", max_value_depth=self.settings.max_value_depth)
        if name == MANAGE_MEMORY:
            self._check_action(args, permitted)
        self._validate(self._spec(name, permitted), args)
        def missing(field: str, _: Any) -> str:
            return (f"the namespace template {list(namespace)} needs a value for {field!r}; "
                    + config_hint.replace("{field}", field))

        ns, values = authorize_template(principal, namespace, flatten_config(config),
                                        write=name != SEARCH_MEMORY, missing=missing)
        if name == SEARCH_MEMORY:
            return await self._search(args, ns)
        if name == EXTRACT_MEMORIES:
            return await self._extract(args, list(namespace), values, ns)
        return await self._manage(args, ns, origin)

    async def _manage(self, args: dict[str, Any], ns: tuple[str, ...],
                      origin: Origin) -> ToolResult:
        action = args["action"]
        content: Any = args.get("content")
        key: Any = args.get("id")
        # LangMem's own checks, in its words
        if action == "create" and key is not None:
            raise InvalidInput("You cannot provide a MEMORY ID when creating a MEMORY. Please "
                               "try again, omitting the id argument.")
        if action in ("update", "delete") and not key:
            raise InvalidInput("You must provide a MEMORY ID when deleting or updating a "
                               "MEMORY.")
        if action != "delete" and content is None:
            raise InvalidInput(f"content is required to {action} a memory")
        if action == "delete":
            await self.memories.delete(ns, key, origin=origin)
            return ToolResult(MANAGE_MEMORY, f"Deleted memory {key}", ns,
                              {"action": "deleted", "namespace": list(ns), "key": key})
        value = memory_value(DEFAULT_KIND, content)
        if action == "create":
            item = await self.memories.create(ns, None, value, origin=origin)
        else:
            item = await self.memories.replace(ns, key, value, origin=origin)
        return ToolResult(MANAGE_MEMORY, f"{action}d memory {item.key}", ns,
                          {"action": f"{action}d", "namespace": list(ns), "key": item.key,
                           "value": readable(item.value)})

    async def _search(self, args: dict[str, Any], ns: tuple[str, ...]) -> ToolResult:
        found = await self.memories.search(
            ns, query=args["query"], filter=args.get("filter"), limit=args.get("limit", 10),
            offset=args.get("offset", 0), refresh_ttl=True,
            times=TimeRange.parse(**{k: args[k] for k in TIME_ARGUMENTS if k in args}))
        items = [{**item.to_search_item().dict(), "value": readable(item.value)}
                 for item in found]
        # LangMem's search tool answers orjson.dumps([item.dict() ...]): compact, UTF-8
        text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        return ToolResult(SEARCH_MEMORY, text, ns, items)

    async def _extract(self, args: dict[str, Any], template: list[str], values: dict[str, str],
                       ns: tuple[str, ...]) -> ToolResult:
        try:
            request = ExtractionJobRequest(
                messages=args["messages"], namespace=template, config=values,
                thread_id=args.get("thread_id") or f"tool-{uuid.uuid4()}",
                after_seconds=args.get("after_seconds", 0))
        except PydanticValidationError as exc:
            raise InvalidInput(f"arguments for {EXTRACT_MEMORIES} do not fit: "
                               f"{exc.errors()[0]['msg']}") from None
        job = await self.jobs.submit(request)
        content = (f"queued extraction job {job.id} for namespace {'.'.join(ns)}; the memories "
                   "it finds are stored once it has run")
        return ToolResult(EXTRACT_MEMORIES, content, ns,
                          {"job_id": str(job.id), "status": job.status,
                           "thread_id": job.thread_id,
                           "due_at": job.due_at.isoformat()})

    # -- argument checks ------------------------------------------------------------------

    @staticmethod
    def _parse_arguments(name: str, arguments: dict[str, Any] | str | None) -> dict[str, Any]:
        """Arguments as models send them: an object (Anthropic's input, MCP) or a JSON text
        (OpenAI's function.arguments)."""
        if arguments is None or arguments == "":
            return {}
        if isinstance(arguments, str):
            try:
                arguments = loads(arguments)
            except ValueError as exc:
                raise InvalidInput(f"arguments for {name} are not valid JSON: {exc}") from None
        if not isinstance(arguments, dict):
            raise InvalidInput(f"arguments for {name} must be a JSON object, got "
                               f"{type(arguments).__name__}")
        return arguments

    @staticmethod
    def _check_action(args: dict[str, Any], permitted: tuple[Action, ...]) -> None:
        action = args.get("action", "create" if "create" in permitted else permitted[0])
        if action is None:
            return
        if action not in ACTIONS:
            raise InvalidInput(f"unknown action {action!r}; manage_memory's actions are "
                               f"{', '.join(ACTIONS)}")
        if action not in permitted:
            raise InvalidInput(f"action {action!r} is not permitted here; the permitted "
                               f"actions are {', '.join(permitted)}")
        args["action"] = action

    @staticmethod
    def _validate(spec: ToolSpec, args: dict[str, Any]) -> None:
        errors = sorted(Draft202012Validator(spec.parameters).iter_errors(args),
                        key=lambda e: (list(e.absolute_path), e.message))
        if errors:
            raise InvalidInput(f"arguments for {spec.name} do not fit its schema: "
                               + "; ".join(_describe(e) for e in errors[:5]))


def _describe(error: ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        return error.message
    return f"{where}: {error.message}" if where else error.message


def flatten_config(config: dict[str, Any] | None) -> dict[str, str]:
    """Template values as agent frameworks pass them: flat, or LangGraph's
    {"configurable": {...}} (whose values win)."""
    config = dict(config or {})
    nested = config.pop("configurable", None)
    if nested is not None and not isinstance(nested, dict):
        raise InvalidInput("config.configurable must be an object of template values")
    merged = {**config, **(nested or {})}
    values = {}
    for key, value in merged.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InvalidInput(f"config value {key!r} must be a string or a number")
        values[key] = str(value)
    return values

