"""One repair call for rejected operations, as trustcall does for LangMem: the model sees what
it sent and why each operation failed, and sends corrected ones. Then we give up, with reasons."""

import json
import logging
from typing import Any

from app.extraction.kinds import Kind
from app.extraction.llm import LLMClient, LLMError
from app.extraction.plan import Plan, plan_operations
from app.extraction.prompt import TOOL_DESCRIPTION, TOOL_NAME, Prompt
from app.extraction.schemas import Usage
from app.observability.metrics import count_repair

log = logging.getLogger(__name__)

REPAIR_NOTE = """Your previous call of the tool proposed operations that were rejected. Each is
below with the validation error. Call the tool again with only these operations, corrected
(operations not listed were accepted and are kept). Leave out any you cannot correct."""


def repair_prompt(user: str, rejected: list[dict[str, Any]]) -> str:
    lines = "\n".join(json.dumps({"operation": r["operation"], "error": r["reason"]},
                                 ensure_ascii=False, separators=(",", ":")) for r in rejected)
    return f"{user}\n\n{REPAIR_NOTE}\n{lines}"


async def repair(llm: LLMClient, prompt: Prompt, plan: Plan, usage: Usage,
                 namespace: tuple[str, ...], kinds: tuple[Kind, ...],
                 actions: tuple[str, ...]) -> tuple[Plan, int]:
    """The repair call; the accepted operations and the corrected ones are planned again
    together. A failed call keeps the first answer (its valid operations are not lost).
    Answers the plan and how many rejected operations were fixed."""
    try:
        call = await llm.call_tool(system=prompt.system,
                                   user=repair_prompt(prompt.user, plan.rejected),
                                   tool_name=TOOL_NAME, tool_description=TOOL_DESCRIPTION,
                                   parameters=prompt.parameters, strict=True)
    except LLMError as exc:
        log.warning("repair call failed, keeping the first answer: %s", exc.detail)
        count_repair("failed")
        return plan, 0
    usage.add(call)
    fixes = call.arguments.get("operations")
    if not isinstance(fixes, list) or not fixes:
        count_repair("gave_up")
        return plan, 0  # nothing corrected: the first rejections stand
    again = plan_operations({"operations": [*plan.accepted, *fixes]}, namespace, prompt.ids,
                            kinds, actions)
    fixed = max(0, len(again.accepted) - len(plan.accepted))
    count_repair("fixed" if fixed else "still_rejected")
    return again, fixed


def outcome(plan: Plan, duplicates: int) -> str:
    """Whether anything was stored, and whether anything the model proposed was refused."""
    stored = len(plan.inserts) + len(plan.updates) + len(plan.deletes) + duplicates
    if plan.rejected:
        return "partially_rejected" if stored else "rejected"
    return "stored" if stored else "nothing_to_remember"
