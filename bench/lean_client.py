"""A lean HTTP/1.1 keep-alive client for load generation: asyncio streams, pre-encoded
request heads, a minimal response parser (Content-Length or chunked bodies).

httpx costs ~6 ms of CPU per request under the mixed load (bench/PROFILE.md), as much as the
server it measures on a 2-core machine; this costs a small fraction of that, so the CPU
stays with the server. It speaks only what the benchmark needs: one host, JSON bodies, no
redirects, no TLS, no pipelining (one request per connection at a time).
"""

from __future__ import annotations

import asyncio
import time

from bench.load_http import ClientError, Reply

_END = b"\r\n\r\n"


class _Conn:
    __slots__ = ("reader", "writer", "idle_since")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer, self.idle_since = reader, writer, 0.0

    def close(self) -> None:
        self.writer.close()


class LeanClient:
    """`send` is safe from many tasks at once: each takes an idle connection or opens one."""

    def __init__(self, url: str, keepalive: float, timeout: float = 60.0) -> None:
        scheme, _, hostport = url.partition("://")
        if scheme != "http":
            raise ValueError(f"LeanClient speaks plain http only, not {scheme!r}: {url}")
        host, _, port = hostport.rstrip("/").partition(":")
        self.host, self.port = host, int(port or 80)
        self.keepalive, self.timeout = keepalive, timeout
        self._idle: list[_Conn] = []
        self._heads: dict[tuple[str, str], bytes] = {}

    def _head(self, method: str, target: str) -> bytes:
        key = (method, target)
        head = self._heads.get(key)
        if head is None:
            head = (f"{method} {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                    "Content-Type: application/json\r\nContent-Length: ").encode()
            if len(self._heads) < 64:  # gets carry their key in the target: not worth keeping
                self._heads[key] = head
        return head

    async def _connection(self) -> _Conn:
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            # Idle past the keep-alive, or closed by the server: never reuse (the server may
            # be closing it at this very moment; an error that would be the client's).
            if now - conn.idle_since < self.keepalive and not conn.reader.at_eof():
                return conn
            conn.close()
        return _Conn(*await asyncio.open_connection(self.host, self.port))

    async def send(self, method: str, target: str, body: bytes = b"") -> Reply:
        conn = None
        try:
            async with asyncio.timeout(self.timeout):
                conn = await self._connection()
                conn.writer.write(b"%s%d\r\n\r\n%s" % (self._head(method, target), len(body),
                                                        body))
                status, payload, reusable = await _read_response(conn.reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                TimeoutError, ValueError) as exc:
            if conn is not None:
                conn.close()
            raise ClientError(f"{type(exc).__name__} {exc}") from exc
        except asyncio.CancelledError:  # mid-exchange: the connection's state is unknown
            if conn is not None:
                conn.close()
            raise
        if reusable:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()
        return Reply(status, payload)

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body, and whether the connection may carry another request."""
    head = await reader.readuntil(_END)
    if not head.startswith(b"HTTP/1.1 "):
        raise ValueError(f"not an HTTP/1.1 response: {head[:40]!r}")
    status = int(head[9:12])
    lower = head.lower()
    reusable = b"\r\nconnection: close\r\n" not in lower
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        size = int(lower[at + 17:lower.index(b"\r\n", at + 2)])
        return status, await reader.readexactly(size) if size else b"", reusable
    if b"\r\ntransfer-encoding: chunked\r\n" in lower:
        return status, await _read_chunked(reader), reusable
    if status in (204, 304) or 100 <= status < 200:
        return status, b"", reusable
    return status, await reader.read(), False  # delimited by the server closing


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, if any
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
