"""Prometheus metrics, in the process-wide default registry (which adds process_* metrics).

Labels never carry a namespace, key, user or raw path: routes are templates
("/v1/memories/{key}"), so a label's values stay few whatever the traffic.
"""

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from prometheus_client import Counter, Gauge, Histogram

UNMATCHED_ROUTE = "unmatched"  # paths no route serves (404s, scanners) share one label
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# An extraction's LLM call takes seconds to minutes; requests take milliseconds to seconds.
_SLOW_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300)

HTTP_REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds", "HTTP requests by method, route template and status "
    "class; _count counts them", ["method", "route", "status_class"])
JOB_SECONDS = Histogram(
    "extraction_job_duration_seconds", "Background extraction job runs by outcome; _count "
    "counts them", ["outcome"], buckets=_SLOW_BUCKETS)
LLM_CALLS = Counter("llm_calls", "LLM calls by provider, model and outcome",
                    ["provider", "model", "outcome"])
LLM_SECONDS = Histogram("llm_call_duration_seconds", "LLM call latency",
                        ["provider", "model"], buckets=_SLOW_BUCKETS)
LLM_TOKENS = Counter("llm_tokens", "Tokens the provider reported, by type (prompt or "
                     "completion)", ["provider", "model", "type"])
REJECTED_OPERATIONS = Counter(
    "extraction_rejected_operations", "Operations a model proposed that failed validation and "
    "were given up on (after the repair call), by action", ["action"])
REPAIR_CALLS = Counter("extraction_repair_calls", "Repair calls for rejected operations, by "
                       "outcome (fixed: at least one operation fixed)", ["outcome"])
EMBEDDER_CALLS = Counter("embedder_calls", "Embedder calls", ["provider", "model"])
EMBEDDER_TEXTS = Counter("embedder_texts", "Texts embedded", ["provider", "model"])
EMBEDDER_SECONDS = Histogram("embedder_call_duration_seconds", "Embedder call latency",
                             ["provider", "model"])
WRITES_WAITING = Gauge("store_writes_waiting", "Writes waiting for their turn "
                       "(WRITE_CONCURRENCY)")


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in _METHODS else "other"  # any token is a valid method
    HTTP_REQUEST_SECONDS.labels(method, route, f"{status // 100}xx").observe(seconds)


def observe_job(outcome: str, seconds: float) -> None:
    JOB_SECONDS.labels(outcome).observe(seconds)


def count_rejected(rejected: list[dict[str, Any]]) -> None:
    for r in rejected:
        op = r.get("operation")
        action = op.get("action") if isinstance(op, dict) else None
        REJECTED_OPERATIONS.labels(action if action in ("insert", "update", "delete")
                                   else "invalid").inc()


def count_repair(outcome: str) -> None:
    REPAIR_CALLS.labels(outcome).inc()


def count_llm_tokens(model: str, prompt_tokens: int, completion_tokens: int) -> None:
    """`model` as LLM_MODEL spells it: "openai:gpt-4o-mini"."""
    provider, _, name = model.partition(":")
    LLM_TOKENS.labels(provider, name, "prompt").inc(prompt_tokens)
    LLM_TOKENS.labels(provider, name, "completion").inc(completion_tokens)


def _outcome(exc: BaseException | None) -> str:
    if exc is None:
        return "ok"
    return "cancelled" if isinstance(exc, asyncio.CancelledError) else "error"


LLMCall = TypeVar("LLMCall", bound=Callable[..., Awaitable[Any]])


def measure_llm_call(call_tool: LLMCall) -> LLMCall:
    """Decorates an LLM client's `call_tool`: counts calls by outcome and times them."""
    @functools.wraps(call_tool)
    async def measured(self: Any, **kwargs: Any) -> Any:
        provider, _, name = self.model.partition(":")
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            return await call_tool(self, **kwargs)
        except BaseException as exc:
            error = exc
            raise
        finally:
            LLM_SECONDS.labels(provider, name).observe(time.perf_counter() - started)
            LLM_CALLS.labels(provider, name, _outcome(error)).inc()
    return cast(LLMCall, measured)  # the same signature: keyword arguments, passed on


Embed = TypeVar("Embed", bound=Callable[[Any, list[str]], Awaitable[list[list[float]]]])


def measure_embed(embed: Embed) -> Embed:
    """Decorates an embedder's `embed`: counts calls and texts, times them."""
    @functools.wraps(embed)
    async def measured(self: Any, texts: list[str]) -> list[list[float]]:
        if not texts:  # no work, and no call to count
            return await embed(self, texts)
        provider, _, name = self.model.partition(":")
        started = time.perf_counter()
        try:
            return await embed(self, texts)
        finally:
            EMBEDDER_SECONDS.labels(provider, name).observe(time.perf_counter() - started)
            EMBEDDER_CALLS.labels(provider, name).inc()
            EMBEDDER_TEXTS.labels(provider, name).inc(len(texts))
    return cast(Embed, measured)  # the same signature
