"""Per request: an id, a metric, one log line and (tracing on) a server span. Pure ASGI, so
streamed responses (/v1/export) pass through untouched; outermost, so answers the limits'
middleware give themselves (413, 429, idempotent replays) are counted and logged too."""

import json
import logging
import time
from collections.abc import Callable, Sequence

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability import context, http_span, metrics

log = logging.getLogger("app.request")

# Probes and scrapes arrive every few seconds: logged at debug level, not info.
QUIET_ROUTES = frozenset({"/livez", "/readyz", "/metrics"})
CLIENT_CLOSED = 499  # nginx's status for a request whose client left before the answer
_HEADER = context.REQUEST_ID_HEADER.encode()


class RequestObservability:
    def __init__(self, app: ASGIApp, routes: Callable[[], Sequence[BaseRoute]]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = context.accept_request_id(_header(scope, _HEADER))
        token = context.request_id.set(request_id)
        started = time.perf_counter()
        status: int | None = None
        failure: Exception | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != _HEADER]
                message = {**message, "headers": [*headers, (_HEADER, request_id.encode())]}
            await send(message)

        with http_span.serving(scope, request_id, untraced=QUIET_ROUTES) as span:
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as exc:
                failure = exc
                # Logged here, once, with the request id; the client gets the id to quote.
                log.exception("unhandled error")
                if status is not None:
                    raise  # mid-response: only the server can end the connection
                await _send_internal_error(send_with_id)
            finally:
                route = self._route_template(scope)
                self._record(scope, route, CLIENT_CLOSED if status is None else status,
                             time.perf_counter() - started)
                http_span.finish(span, scope["method"],
                                 None if route == metrics.UNMATCHED_ROUTE else route,
                                 status, failure)
                context.request_id.reset(token)

    def _record(self, scope: Scope, route: str, status: int, seconds: float) -> None:
        metrics.observe_request(scope["method"], route, status, seconds)
        level = logging.DEBUG if route in QUIET_ROUTES else logging.INFO
        if not log.isEnabledFor(level):  # LOG_LEVEL=warning: no line, so no fields to build
            return
        fields = {"method": scope["method"], "route": route, "status": status,
                  "duration_ms": round(seconds * 1000, 3)}
        principal = (scope.get("state") or {}).get("principal")  # set by app/auth
        key_id = getattr(principal, "key_id", None)
        if key_id:
            fields["key_id"] = key_id
        log.log(level, "%s %s %d %.1f ms", scope["method"], route, status, seconds * 1000,
                extra=fields)

    def _route_template(self, scope: Scope) -> str:
        """The template of the route that served the request ("/v1/memories/{key}"), never
        the path. Requests answered before routing (413, 429, replays) are matched here."""
        route = scope.get("route")
        if route is None:
            partial = None
            for candidate in self.routes():
                match, _ = candidate.matches(scope)
                if match is Match.FULL:
                    route = candidate
                    break
                if match is Match.PARTIAL and partial is None:
                    partial = candidate  # the path matches, not the method (405)
            route = route or partial
        return getattr(route, "path", None) or metrics.UNMATCHED_ROUTE


def _header(scope: Scope, name: bytes) -> bytes | None:
    """The last value of a header (names arrive lower-cased), without copying them all."""
    found = None
    for key, value in scope["headers"]:
        if key == name:
            found = value
    return found


async def _send_internal_error(send: Send) -> None:
    body = json.dumps({"detail": "internal server error"}).encode()
    await send({"type": "http.response.start", "status": 500,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
