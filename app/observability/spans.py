"""The spans of the work under a request or a job: embedding calls, statement groups, LLM
calls and job runs. Names and attributes follow the OpenTelemetry semantic conventions
(gen_ai.*, db.*, messaging.*); our own attributes are prefixed `memory_service.`."""

import functools
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar, cast

from opentelemetry.trace import Span, SpanKind

from app.observability import tracing

COLLECTION = "store"  # LangGraph's table of items, which every statement group works on

Embed = TypeVar("Embed", bound=Callable[[Any, list[str]], Awaitable[list[list[float]]]])
Call = TypeVar("Call", bound=Callable[..., Awaitable[Any]])


def embedding(embed: Embed) -> Embed:
    """Decorates an embedder's `embed`: one span per model call, with its batch size. A call
    made for a batch of requests (app/store/embed_batcher.py) links to each of them."""
    @functools.wraps(embed)
    async def traced(self: Any, texts: list[str]) -> list[list[float]]:
        if not tracing.enabled() or not texts:
            return await embed(self, texts)
        provider, _, name = self.model.partition(":")
        with tracing.span(f"embeddings {name}", kind=SpanKind.CLIENT, links=tracing.shared_with(),
                          attributes={"gen_ai.operation.name": "embeddings",
                                      "gen_ai.provider.name": provider,
                                      "gen_ai.request.model": name,
                                      "memory_service.embedding.batch_size": len(texts)}):
            return await embed(self, texts)
    return cast(Embed, traced)  # the same signature


def statements(operation: str) -> AbstractContextManager[Span | None]:
    """A span around one group of SQL statements (a search, a write): never their text."""
    if not tracing.enabled():
        return nullcontext()
    return tracing.span(f"{operation} {COLLECTION}", kind=SpanKind.CLIENT, attributes={
        "db.system.name": "postgresql", "db.operation.name": operation,
        "db.collection.name": COLLECTION})


def statement_group(operation: str) -> Callable[[Call], Call]:
    """Decorates an async method whose statements make one group (see `statements`)."""
    def decorate(method: Call) -> Call:
        @functools.wraps(method)
        async def traced(*args: Any, **kwargs: Any) -> Any:
            with statements(operation):
                return await method(*args, **kwargs)
        return cast(Call, traced)
    return decorate


def llm_call(call: Call) -> Call:
    """Decorates an LLM client's one model call (keyword arguments; it answers a result with
    `prompt_tokens` and `completion_tokens`): a gen_ai span, never the prompt."""
    @functools.wraps(call)
    async def traced(self: Any, **kwargs: Any) -> Any:
        if not tracing.enabled():
            return await call(self, **kwargs)
        provider, _, name = self.model.partition(":")
        with tracing.span(f"chat {name}", kind=SpanKind.CLIENT, attributes={
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": provider,
                "gen_ai.system": provider,  # its name before semantic conventions 1.37
                "gen_ai.request.model": name}) as span:
            result = await call(self, **kwargs)
            if span is not None:
                span.set_attributes({
                    "gen_ai.usage.input_tokens": getattr(result, "prompt_tokens", 0),
                    "gen_ai.usage.output_tokens": getattr(result, "completion_tokens", 0)})
            return result
    return cast(Call, traced)


def job_run(task: str, job_id: str, queued_by: object) -> AbstractContextManager[Span | None]:
    """A job run starts a trace of its own (it may run minutes later, and more than once),
    linked to the span that queued it: `queued_by` is what tracing.carrier() gave then."""
    if not tracing.enabled():
        return nullcontext()
    return tracing.span(f"process {task}", kind=SpanKind.CONSUMER, parent=tracing.ROOT,
                        links=tracing.linked_to(queued_by), attributes={
                            "messaging.system": "procrastinate",
                            "messaging.operation.type": "process",
                            "messaging.operation.name": "process",
                            "messaging.destination.name": task,
                            "memory_service.job_id": job_id})
