"""uvicorn's httptools protocol with limits for slow or abusive clients.

uvicorn bounds neither how long a client may take to send its headers (a connection that
sends nothing, or half a header line, stays open forever) nor how large they may be (llhttp
buffers a megabyte header), nor a stalled body. Per connection:
- headers must be complete within HTTP_HEADER_TIMEOUT_SECONDS of the connection opening or
  of the request's first byte (later requests on it), else 408 and the connection closes;
- request line and headers must fit HTTP_MAX_HEADER_BYTES, else 431;
- a body may pause at most HTTP_BODY_TIMEOUT_SECONDS between reads (not counted while the
  app itself is not reading), else 408 and the app sees the client disconnect.
"""

import asyncio
import json
from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import Settings

REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


class HeadersTooLarge(Exception):
    pass


@dataclass(frozen=True)
class ClientLimits:
    header_timeout: float
    body_timeout: float
    max_header_bytes: int


def guarded_protocol(settings: Settings) -> type["GuardedHttpToolsProtocol"]:
    """The protocol class for uvicorn's `http=`, with the settings' limits."""
    limits = ClientLimits(settings.http_header_timeout_seconds,
                          settings.http_body_timeout_seconds, settings.http_max_header_bytes)
    return type("GuardedHttpToolsProtocol", (GuardedHttpToolsProtocol,), {"limits": limits})


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    limits = ClientLimits(10.0, 30.0, 32_768)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_bytes = 0
        self._rejected_with: int | None = None
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Headers still incomplete after this chunk: it was header bytes (all of it, but
        # for a pipelined request's body end, which may count against the next one).
        if self._header_timer is not None and not self._rejected_with:
            self._header_bytes += len(data)
            if self._header_bytes > self.limits.max_header_bytes:
                self._reject(431, self._too_large())

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        if self._header_timer is None:
            self._arm_header_timer()

    def on_headers_complete(self) -> None:
        size = len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
        if size > self.limits.max_header_bytes:
            self._rejected_with = 431
            raise HeadersTooLarge  # stops the parser; send_400_response answers 431
        self._cancel_timers()
        super().on_headers_complete()
        self._arm_body_timer()

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        self._arm_body_timer()

    def on_message_complete(self) -> None:
        self._cancel_body_timer()
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if self._rejected_with == 431:
            self._write_error(431, self._too_large())
            return
        super().send_400_response(msg)

    def _too_large(self) -> str:
        return (f"request headers are larger than {self.limits.max_header_bytes} bytes; "
                "send smaller ones")

    # -- timers ----------------------------------------------------------------------------

    def _arm_header_timer(self) -> None:
        self._header_timer = self.loop.call_later(self.limits.header_timeout,
                                                  self._header_timed_out)

    def _arm_body_timer(self) -> None:
        self._cancel_body_timer()
        if self.cycle is not None and self.cycle.more_body:
            self._body_timer = self.loop.call_later(self.limits.body_timeout,
                                                    self._body_timed_out)

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _cancel_timers(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        self._cancel_body_timer()

    def _header_timed_out(self) -> None:
        self._header_timer = None
        self._reject(408, f"request headers not received within "
                     f"{self.limits.header_timeout:g} s")

    def _body_timed_out(self) -> None:
        self._body_timer = None
        cycle = self.cycle
        if self.flow.read_paused or (cycle is not None and cycle.waiting_for_100_continue):
            self._arm_body_timer()  # the app is not reading yet: not the client's delay
            return
        self._reject(408, f"request body stalled for {self.limits.body_timeout:g} s",
                     body=True)

    def _reject(self, status: int, detail: str, *, body: bool = False) -> None:
        self._rejected_with = status
        self._cancel_timers()
        cycle = self.cycle
        in_progress = cycle is not None and not cycle.response_complete
        if body and in_progress:
            cycle.disconnected = True  # the app's receive() answers http.disconnect
            cycle.message_event.set()
        if (in_progress and cycle.response_started) or (body and not in_progress):
            self.transport.close()  # an answer is under way, or was given: only close
            return
        self._write_error(status, detail)

    def _write_error(self, status: int, detail: str) -> None:
        if self.transport.is_closing():
            return
        body = json.dumps({"detail": detail}).encode()
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n%s" % (status, REASONS[status], len(body), body))
        self.transport.close()
