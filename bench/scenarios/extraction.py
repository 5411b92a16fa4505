"""Extraction cost: LLM calls and tokens per extraction, our service vs LangMem.

The conversations of bench/conversations.py (users with stored memories, some made stale by
what they say) go through our service (`POST /v1/extract` on a real server whose LLM is the
fake OpenAI-compatible server) and through LangMem's `create_memory_store_manager` in this
process, its ChatOpenAI pointed at the same fake, on LangGraph's AsyncPostgresStore (same
database and embedding model). The fake answers both with the same operations in each one's
tool format (bench/llm_script.py) and counts calls and tokens; both start from the same
stored memories, in namespaces of their own.
"""

from __future__ import annotations

import time
from typing import Any

from bench.context import BenchContext
from bench.conversations import CONVERSATIONS, Conversation
from bench.llm_script import BREAK_FIRST, MISSES, all_tools_prompt_tokens
from bench.report import HeadlineRow, Report, table
from bench.scenarios import Scenario

SYSTEMS = ("ours", "langmem", "langmem_query", "ours_repair")
ROOT = {s: f"bench-extract-{s.replace('_', '-')}" for s in SYSTEMS}
LABELS = {"ours": "ours", "langmem": "LangMem",
          "langmem_query": "LangMem + query_model",
          "ours_repair": "ours, first answer invalid (1 repair call)"}
OURS = ("ours", "ours_repair")


def langmem_manager(system: str, store, fake_url: str):
    """LangMem as its docs set it up, deletes enabled (our service deletes by default);
    "langmem_query" adds its optional query model (an LLM call that writes the searches)."""
    from langchain_openai import ChatOpenAI
    from langmem import create_memory_store_manager

    model = ChatOpenAI(model="gpt-4o-mini", base_url=fake_url, api_key="sk-bench",
                       max_retries=0)
    return create_memory_store_manager(
        model, namespace=(ROOT[system], "{langgraph_user_id}"), enable_deletes=True,
        store=store, query_model=model if system == "langmem_query" else None)


async def seed(system: str, namespace: tuple[str, ...], texts: list[str], env, store) -> None:
    """The memories a user has before the conversation, each written the way its system
    writes them (ours: our API, which indexes the text; LangMem: the store's aput)."""
    if system in OURS and texts:
        r = await env.client.post("/v1/memories/batch", json={"items": [
            {"namespace": list(namespace), "key": f"seed-{i}", "content": t}
            for i, t in enumerate(texts)]})
        r.raise_for_status()
    elif system not in OURS:
        for i, text in enumerate(texts):
            await store.aput(namespace, f"seed-{i}",
                             {"kind": "Memory", "content": {"content": text}})


async def snapshot(store, namespace: tuple[str, ...]) -> dict[str, Any]:
    return {i.key: i.value for i in await store.asearch(namespace, limit=1000)}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    return {"created": len(after.keys() - before.keys()),
            "updated": sum(1 for k in after.keys() & before.keys() if after[k] != before[k]),
            "deleted": len(before.keys() - after.keys())}


class Extraction(Scenario):
    name = "extraction"
    title = "Extraction cost"

    async def run(self, ctx: BenchContext) -> None:
        env = await ctx.extraction_server()
        store = env.store
        managers = {s: langmem_manager(s, store, env.fake.openai_url) for s in SYSTEMS
                    if s not in OURS}
        rows: list[dict[str, Any]] = []
        MISSES.clear()
        with ctx.phase("extraction: our service vs LangMem on the same conversations"):
            for c in CONVERSATIONS:
                for system in SYSTEMS:
                    namespace = (ROOT[system], c.user)
                    await seed(system, namespace, c.stored(), env, store)
                    before = await snapshot(store, namespace)
                    env.reset()
                    missed = sum(MISSES.values())
                    started = time.perf_counter()
                    BREAK_FIRST["on"] = system == "ours_repair"
                    await self._extract(system, c, env, managers.get(system))
                    seconds = time.perf_counter() - started
                    bodies = [r.body for r in env.fake.llm_requests]
                    rows.append({
                        "system": system, "user": c.user, "turns": len(c.turns),
                        "stored": len(before), "calls": env.fake.calls,
                        "failures": env.fake.failures,
                        "prompt_tokens": env.fake.prompt_tokens,
                        "prompt_tokens_all_tools": sum(map(all_tools_prompt_tokens, bodies)),
                        "completion_tokens": env.fake.completion_tokens,
                        "tools_offered": max((len(b.get("tools") or []) for b in bodies),
                                             default=0),
                        "misses": sum(MISSES.values()) - missed, "seconds": seconds,
                        **changes(before, await snapshot(store, namespace))})
                    ctx.log(f"    {system:<13} {c.user:<11} calls {env.fake.calls} prompt "
                            f"{env.fake.prompt_tokens} completion {env.fake.completion_tokens}")
        ctx.results[self.name] = {"rows": rows}

    @staticmethod
    async def _extract(system: str, c: Conversation, env, manager) -> None:
        if system in OURS:
            r = await env.client.post("/v1/extract", json={
                "messages": c.messages(), "namespace": [ROOT[system], c.user]})
            r.raise_for_status()
        else:
            await manager.ainvoke({"messages": c.messages()},
                                  config={"configurable": {"langgraph_user_id": c.user}})

    # -- report ---------------------------------------------------------------------------

    def report(self, ctx: BenchContext, out: Report) -> None:
        rows = ctx.results.get(self.name, {}).get("rows")
        if not rows:
            return
        systems = [s for s in SYSTEMS if any(r["system"] == s for r in rows)]
        total = {s: {k: sum(r[k] for r in rows if r["system"] == s) for k in KEYS}
                 for s in systems}
        n = len(CONVERSATIONS)
        ours, lm = total["ours"], total["langmem"]
        for key, label in (("calls", "LLM calls"), ("prompt_tokens", "prompt tokens")):
            met = ours[key] < lm[key]
            out.add_headline(HeadlineRow(
                f"Extraction: fewer {label} than LangMem on the same {n} conversations",
                f"ours {_per(ours, key, n)} vs LangMem {_per(lm, key, n)} per extraction",
                f"{ours[key] / lm[key]:.2f}x", met, "" if met else _why(key, total, n)))
        out.add_headline(HeadlineRow(
            "(info) Extraction: stale memories the model was not shown (so not updated or "
            "deleted)", ", ".join(f"{LABELS[s]} {total[s]['misses']}" for s in systems),
            f"of {sum(len(c.updates) + len(c.deletes) for c in CONVERSATIONS)}", None))

        if "ours_repair" in total:
            out.add_headline(HeadlineRow(
                "(info) Extraction whose first answer has an invalid operation (repaired)",
                f"{_per(total['ours_repair'], 'calls', n)} LLM calls, "
                f"{_per(total['ours_repair'], 'prompt_tokens', n)} prompt tokens per extraction "
                f"(valid first answer: {_per(ours, 'calls', n)}, {_per(ours, 'prompt_tokens', n)})",
                "", None))

        totals = [[LABELS[s], _per(total[s], "calls", n), _per(total[s], "prompt_tokens", n),
                   _per(total[s], "prompt_tokens_all_tools", n),
                   _per(total[s], "completion_tokens", n),
                   f"{total[s]['created']}/{total[s]['updated']}/{total[s]['deleted']}",
                   total[s]["misses"], total[s]["failures"]] for s in systems]
        ratios = [["ours / LangMem", *(f"{ours[k] / lm[k]:.2f}x" for k in KEYS[:4]), "", "", ""]]
        per_conv = [[r["user"], r["turns"], r["stored"], LABELS[r["system"]], r["calls"],
                     r["prompt_tokens"], r["prompt_tokens_all_tools"], r["completion_tokens"],
                     r["tools_offered"], f"{r['created']}/{r['updated']}/{r['deleted']}",
                     r["misses"], f"{r['seconds'] * 1000:.0f}"] for r in rows]
        out.add_section(self.title, f"""
{n} conversations ({sum(len(c.turns) for c in CONVERSATIONS)} messages; users holding 0 to
{max(len(c.stored()) for c in CONVERSATIONS)} memories, some made stale by the conversation
so that updates and deletes happen, one with nothing worth remembering), each extracted once
by our service (`POST /v1/extract`, a real server process) and once by LangMem's
`create_memory_store_manager(ChatOpenAI(base_url=<fake>), enable_deletes=True)` in this
process on LangGraph's AsyncPostgresStore (otherwise its defaults: query_limit 5, no query
model, max_steps 1); for information also with LangMem's optional `query_model` (the same
ChatOpenAI), which asks the LLM for search queries first. All talk to the same fake
OpenAI-compatible server, which answers each request with the same operations in the
caller's tool format (bench/llm_script.py; the query model gets one search per user message).
*ours, first answer invalid* sends the first operation without its content, as a model filling
an untyped tool schema did; the one repair call shows it the error and it sends the fix.

**Tokens are the fake's count, not a real tokenizer's**: prompt tokens = whitespace-separated
words of every message plus the name, description and JSON schema (sorted-key JSON) of the
forced tool, else of the first tool offered; completion tokens = words of the tool call
arguments as sorted-key JSON. *all tools* counts every tool a request offers (LangMem offers
up to three, PatchDoc, Memory and RemoveDoc; we offer one), which the fake's count leaves
out. *misses* = updates or deletes of a stored memory that the request did not show the
model: the new fact is inserted beside the stale one, or the delete is lost. c/u/d =
memories created, updated, deleted in the store.

Per extraction (mean over the {n} conversations):

{table(["system", "LLM calls", "prompt tokens", "prompt tokens (all tools)",
        "completion tokens", "c/u/d (total)", "misses", "failed calls"], totals + ratios)}
Per conversation:

{table(["user", "messages", "stored", "system", "calls", "prompt", "prompt (all tools)",
        "completion", "tools offered", "c/u/d", "misses", "ms"], per_conv)}
""")


KEYS = ("calls", "prompt_tokens", "prompt_tokens_all_tools", "completion_tokens", "created",
        "updated", "deleted", "misses", "failures")


def _per(total: dict[str, int], key: str, n: int) -> str:
    return f"{total[key] / n:.1f}" if key == "calls" else f"{total[key] / n:.0f}"


def _why(key: str, total: dict, n: int) -> str:
    if key == "calls":
        query = total.get("langmem_query")
        return ("both make exactly one call per extraction when the model's tool calls "
                "validate: LangMem's default searches the store without the LLM, and "
                "trustcall calls again only to repair invalid output; we cannot go below "
                "one" + (f" (LangMem with its query model: {_per(query, 'calls', n)})"
                         if query else ""))
    return ("our prompt shows more existing memories (at least 10, all of a small namespace, "
            "up to 40) than LangMem's 5, to catch the stale ones")
