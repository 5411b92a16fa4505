"""OpenTelemetry spans, off unless a tracer is installed (OTEL_ENABLED: otel_sdk.py starts
one; tests install their own).

Only the API is imported here, never the SDK: with nothing installed every helper returns at
once, so a server without tracing pays one `is None` check per seam and allocates nothing.
Attributes never carry user text (memory content, queries, prompts, SQL values), and an
exception is recorded by its type only: its message may quote what the user sent.
"""

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from contextvars import ContextVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode, Tracer, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

SCOPE = "memory-service"
Attributes = Mapping[str, AttributeValue]
Captured = Context | None  # a caller's context, kept for work done later on its behalf
ROOT = Context()  # the parent of a span that starts a trace of its own (a job run)

_tracer: Tracer | None = None
_W3C = TraceContextTextMapPropagator()  # job arguments carry only traceparent/tracestate
# Links for the span a batch's shared work opens (see on_behalf_of).
_shared_with: ContextVar[tuple[Link, ...]] = ContextVar("shared_with", default=())


def install(provider: TracerProvider) -> None:
    global _tracer
    _tracer = provider.get_tracer(SCOPE)


def uninstall() -> None:
    global _tracer
    _tracer = None


def enabled() -> bool:
    return _tracer is not None


def current_ids() -> tuple[str, str] | None:
    """The current span's trace and span ids in hex, as trace backends show them (for log
    lines); None when tracing is off or no span is current."""
    if _tracer is None:
        return None
    current = trace.get_current_span().get_span_context()
    if not current.is_valid:
        return None
    return trace.format_trace_id(current.trace_id), trace.format_span_id(current.span_id)


def span(name: str, *, kind: SpanKind = SpanKind.INTERNAL, attributes: Attributes | None = None,
         links: Iterable[Link] = (), parent: Context | None = None,
         ) -> AbstractContextManager[Span | None]:
    """A span, current for the block (None when tracing is off)."""
    if _tracer is None:
        return contextlib.nullcontext()
    return _current(_tracer, name, kind, attributes, list(links), parent)


@contextlib.contextmanager
def _current(tracer: Tracer, name: str, kind: SpanKind, attributes: Attributes | None,
             links: list[Link], parent: Context | None) -> Iterator[Span]:
    opened = tracer.start_span(name, context=parent, kind=kind, attributes=attributes,
                               links=links, record_exception=False,
                               set_status_on_exception=False)
    token = otel_context.attach(trace.set_span_in_context(opened, parent))
    try:
        yield opened
    except BaseException as exc:  # cancellations too: the span says how its work ended
        fail(opened, error_type(exc))
        raise
    finally:
        otel_context.detach(token)
        opened.end()


def fail(failed: Span, kind_of_error: str) -> None:
    failed.set_attribute("error.type", kind_of_error)
    failed.set_status(Status(StatusCode.ERROR))  # no description: it could hold user text


def error_type(exc: BaseException) -> str:
    """The exception's fully qualified class name, as the semantic conventions ask."""
    cls = type(exc)
    return cls.__qualname__ if cls.__module__ == "builtins" else \
        f"{cls.__module__}.{cls.__qualname__}"


def annotate(attributes: Attributes) -> None:
    """Adds attributes to the current span, if there is one."""
    if _tracer is not None:
        trace.get_current_span().set_attributes(attributes)


# -- work that outlives the request that asked for it: batched embedding, queued jobs ---------

def capture() -> Captured:
    """The current context, for work done later on this caller's behalf."""
    return otel_context.get_current() if _tracer is not None else None


@contextlib.contextmanager
def on_behalf_of(callers: Iterable[Captured]) -> Iterator[None]:
    """Work done once for several callers (one model call for a batch of requests): its span
    is a child of the first caller's span and links to the others' (shared_with)."""
    captured = [c for c in callers if c is not None]
    if _tracer is None or not captured:
        yield
        return
    token = otel_context.attach(captured[0])
    links = _shared_with.set(tuple(_links_to(captured[1:])))
    try:
        yield
    finally:
        _shared_with.reset(links)
        otel_context.detach(token)


def shared_with() -> tuple[Link, ...]:
    return _shared_with.get()


def carrier() -> dict[str, str]:
    """The current span as W3C trace context headers ({} when off), for a queued job."""
    headers: dict[str, str] = {}
    if _tracer is not None:
        _W3C.inject(headers)
    return headers


def linked_to(headers: object) -> list[Link]:
    """A link to the span `carrier()` described; none for anything else."""
    if _tracer is None or not isinstance(headers, dict):
        return []
    return list(_links_to([_W3C.extract({k: v for k, v in headers.items()
                                          if isinstance(v, str)})]))


def _links_to(contexts: Iterable[Context]) -> Iterator[Link]:
    for found in contexts:
        span_context = trace.get_current_span(found).get_span_context()
        if span_context.is_valid:
            yield Link(span_context)
