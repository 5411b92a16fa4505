"""What the mixed load needs of an HTTP client (bench/mixed_workload.py), so the transport
can be swapped (httpx, or bench/lean_client.py) under one workload definition."""

from __future__ import annotations

import json
from typing import Any, NamedTuple, Protocol

# Below uvicorn's keep-alive (5 s): a client must not reuse a connection the server may be
# closing at that moment (a client-side error, not the server's).
KEEPALIVE_SECONDS = 2.0


class Reply(NamedTuple):
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class ClientError(Exception):
    """The request got no response: connection refused or dropped, a timeout, bad framing."""


class LoadClient(Protocol):
    async def send(self, method: str, target: str, body: bytes = b"") -> Reply:
        """`target`: path and query, already encoded; `body`: JSON bytes or empty."""
        ...

    async def aclose(self) -> None: ...
