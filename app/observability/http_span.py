"""A request's server span (RequestObservability opens it): named by the route template
("GET /v1/memories/{key:path}"), never the raw path, with the HTTP semantic conventions'
attributes. A client's `traceparent` header makes it part of the client's trace."""

from contextlib import AbstractContextManager, nullcontext

from opentelemetry import propagate
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import Span, SpanKind
from starlette.types import Scope

from app.observability import tracing

# Methods the conventions name; any other token is "_OTHER" (and kept as method_original).
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT",
                      "TRACE"})


class _AsgiHeaders(Getter[Scope]):
    def get(self, carrier: Scope, key: str) -> list[str] | None:
        name = key.lower().encode()
        found = [v.decode("latin-1") for k, v in carrier["headers"] if k == name]
        return found or None

    def keys(self, carrier: Scope) -> list[str]:
        return [k.decode("latin-1") for k, _ in carrier["headers"]]


def serving(scope: Scope, request_id: str, *, untraced: frozenset[str] = frozenset()
            ) -> AbstractContextManager[Span | None]:
    """`untraced`: paths of probes and scrapes, whose span every few seconds would bury the
    rest."""
    if not tracing.enabled() or scope["path"] in untraced:
        return nullcontext()
    method = scope["method"]
    attributes: dict[str, str | int] = {
        "http.request.method": method if method in _METHODS else "_OTHER",
        "url.path": scope["path"],  # never the query string: a search's text travels there
        "url.scheme": scope.get("scheme", "http"),
        "network.protocol.version": scope.get("http_version", "1.1"),
        "memory_service.request_id": request_id,  # the request_id of its log lines
    }
    if method not in _METHODS:
        attributes["http.request.method_original"] = method[:32]
    attributes.update(_server(scope))
    return tracing.span(_name(method), kind=SpanKind.SERVER, attributes=attributes,
                        parent=propagate.extract(scope, getter=_AsgiHeaders()))


def finish(span: Span | None, method: str, route: str | None, status: int | None,
           error: BaseException | None) -> None:
    """Names the span by its route (None: no route served it) and records how it ended:
    error.type on a 5xx, the exception's type when one caused it."""
    if span is None:
        return
    if route is not None:
        span.update_name(f"{_name(method)} {route}")
        span.set_attribute("http.route", route)
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    if error is not None:
        tracing.fail(span, tracing.error_type(error))
    elif status is not None and status >= 500:
        tracing.fail(span, str(status))


def _name(method: str) -> str:
    return method if method in _METHODS else "HTTP"  # a made-up method names no span


def _server(scope: Scope) -> dict[str, str | int]:
    """server.address and server.port as the client named them (the Host header)."""
    host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
    if not host:
        bound = scope.get("server")
        return {"server.address": bound[0], "server.port": bound[1]} if bound else {}
    name, port = host, ""
    if host.startswith("["):  # [::1]:8000
        name, _, rest = host[1:].partition("]")
        port = rest.removeprefix(":")
    elif ":" in host:
        name, _, port = host.rpartition(":")
    found: dict[str, str | int] = {"server.address": name[:255]}
    if port.isdigit():
        found["server.port"] = int(port)
    return found
