"""Extraction: one LLM call turns a conversation into inserts, updates and deletes."""

import json
from collections.abc import Awaitable, Callable

from langgraph.store.base import PutOp

from app.config import Settings
from app.domain.caps import check_messages
from app.domain.history import Origin
from app.errors import ServiceUnavailable
from app.extraction.concurrency import ExtractionSlots
from app.extraction.kinds import build_kinds
from app.extraction.llm import LLMClient
from app.extraction.messages import normalize
from app.extraction.plan import Plan, Planned, plan_operations
from app.extraction.prompt import TOOL_DESCRIPTION, TOOL_NAME, build_prompt
from app.extraction.repair import outcome, repair
from app.extraction.retrieval import find_candidates
from app.extraction.schemas import ExtractionRequest, ExtractionResult, MemoryChange, Usage
from app.memories.namespaces import fill_template
from app.memories.service import MemoryService
from app.observability.metrics import count_rejected
from app.repositories.connection import AsyncConnection

NO_MODEL = ("extraction needs a language model: set LLM_MODEL to openai:<model> (with "
            "OPENAI_API_KEY, or OPENAI_BASE_URL for a compatible server) or anthropic:<model> "
            "(with ANTHROPIC_API_KEY)")

Finalizer = Callable[[AsyncConnection, ExtractionResult], Awaitable[None]]


class ExtractionService:
    def __init__(self, memories: MemoryService, llm: LLMClient | None,
                 settings: Settings) -> None:
        self.memories = memories  # every read and write goes through it
        self.llm = llm
        self.settings = settings
        self.slots = ExtractionSlots(settings.extraction_max_concurrency,
                                     settings.extraction_wait_seconds)

    def require_model(self) -> LLMClient:
        if self.llm is None:
            raise ServiceUnavailable(NO_MODEL)
        return self.llm

    def resolve_namespace(self, request: ExtractionRequest) -> tuple[str, ...]:
        return fill_template(request.namespace, request.config)

    async def extract(self, request: ExtractionRequest, *, origin: Origin,
                      finalize: Finalizer | None = None,
                      background: bool = False) -> ExtractionResult:
        """Run one extraction and apply it in one transaction; `finalize` joins that
        transaction (a job records its result there). `background` (a job) waits for an LLM
        slot as long as it takes; a client's request waits EXTRACTION_WAIT_SECONDS."""
        llm = self.require_model()
        check_messages(self.settings, request.messages)
        namespace = self.resolve_namespace(request)
        kinds = build_kinds([k.model_dump(by_alias=True) for k in request.kinds]
                            if request.kinds else None)
        turns = normalize(request.messages)
        actions = tuple(a for a, on in (("insert", request.enable_inserts),
                                        ("update", request.enable_updates),
                                        ("delete", request.enable_deletes)) if on)
        candidates = await find_candidates(self.memories, namespace, turns, kinds)
        prompt = build_prompt(turns, candidates, kinds, actions, request.instructions)
        usage = Usage()
        async with self.slots.hold(patient=background):
            call = await llm.call_tool(system=prompt.system, user=prompt.user,
                                       tool_name=TOOL_NAME, tool_description=TOOL_DESCRIPTION,
                                       parameters=prompt.parameters, strict=True)
            usage.add(call)
            plan = plan_operations(call.arguments, namespace, prompt.ids, kinds, actions)
            repaired = 0
            if plan.rejected and self.settings.extraction_repair:
                plan, repaired = await repair(llm, prompt, plan, usage, namespace, kinds,
                                              actions)
        duplicates = await self._drop_duplicates(plan, namespace)
        result = ExtractionResult(
            outcome=outcome(plan, duplicates),
            namespace=list(namespace),
            created=[_change(p) for p in plan.inserts],
            updated=[_change(p) for p in plan.updates],
            deleted=[_change(p) for p in plan.deletes],
            duplicates=duplicates, rejected=plan.rejected, repaired=repaired,
            candidates=len(candidates), usage=usage,
        )
        ops = [PutOp(p.namespace, p.key, p.value)
               for p in (*plan.inserts, *plan.updates, *plan.deletes)]

        async def also(conn: AsyncConnection) -> None:
            if finalize is not None:
                await finalize(conn, result)

        await self.memories.apply_plan(ops, origin=origin, also=also)
        count_rejected(result.rejected)
        return result

    async def _drop_duplicates(self, plan: Plan, namespace: tuple[str, ...]) -> int:
        """An insert identical to a stored memory, or to another insert, is not stored twice."""
        values = [p.value for p in plan.inserts if p.value is not None]  # inserts have one
        existing = await self.memories.existing_values(namespace, values)
        seen = {json.dumps(v, sort_keys=True) for v in existing}
        kept: list[Planned] = []
        for p in plan.inserts:
            fingerprint = json.dumps(p.value, sort_keys=True)
            if fingerprint not in seen:
                seen.add(fingerprint)
                kept.append(p)
        dropped = len(plan.inserts) - len(kept)
        plan.inserts = kept
        return dropped


def _change(p: Planned) -> MemoryChange:
    return MemoryChange(namespace=list(p.namespace), key=p.key, value=p.value)
