"""Open the mixed load's client by name: `lean` (bench/lean_client.py, the default: ~1/10
of httpx's CPU per request) or `httpx` (the reference, as before)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx

from bench.httpx_client import HttpxClient
from bench.lean_client import LeanClient
from bench.load_http import KEEPALIVE_SECONDS, LoadClient

CLIENTS = ("lean", "httpx")
TIMEOUT = 60.0


@contextlib.asynccontextmanager
async def open_client(kind: str, url: str, concurrency: int) -> AsyncIterator[LoadClient]:
    """`concurrency` bounds httpx's pool; the lean client opens one connection per request
    in flight, which the workload's client count bounds."""
    client: LoadClient
    if kind == "lean":
        client = LeanClient(url, KEEPALIVE_SECONDS, TIMEOUT)
    elif kind == "httpx":
        limits = httpx.Limits(max_connections=concurrency,
                              max_keepalive_connections=concurrency,
                              keepalive_expiry=KEEPALIVE_SECONDS)
        client = HttpxClient(httpx.AsyncClient(base_url=url, limits=limits, timeout=TIMEOUT))
    else:
        raise ValueError(f"unknown load client {kind!r}: choose one of {', '.join(CLIENTS)}")
    try:
        yield client
    finally:
        await client.aclose()
