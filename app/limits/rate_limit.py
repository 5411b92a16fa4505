"""Per-key rate limits as pure ASGI middleware (streamed responses such as /v1/export pass
through untouched): 429 with Retry-After once a caller's token bucket is empty. The buckets
are in Postgres, shared by every replica.

When the database is away, taking a token fails like any other read (503 with Retry-After,
by app/db/unavailable.py): every limited route needs the database, so letting the request
on would only make it wait a second time for the same answer. When the database answers but
cannot write (a full disk), the request goes on unlimited: reads still work then."""

import logging
from collections.abc import Callable

from psycopg import errors as pg
from starlette.types import ASGIApp, Receive, Scope, Send

from app.auth.credentials import AmbiguousCredential, credential_hash
from app.limits.responses import send_error
from app.limits.token_bucket import SharedBuckets
from app.repositories.connection import AsyncConnectionPool

log = logging.getLogger(__name__)

# Health probes, metrics and the API explorer are never throttled.
EXEMPT_PREFIXES = ("/livez", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json", "/ui",
                   "/static-offline-docs")


def _exempt(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in EXEMPT_PREFIXES)


def caller(scope: Scope) -> str:
    """The presented API key (hashed), else the client address."""
    hashed = credential_hash(scope)
    if hashed:
        return f"key:{hashed}"
    client = scope.get("client")
    return f"addr:{client[0] if client else ''}"


class RateLimit:
    def __init__(self, app: ASGIApp, pool: Callable[[], AsyncConnectionPool], per_minute: int,
                 burst: int | None = None) -> None:
        self.app = app
        self.per_minute = per_minute
        self.burst = burst or per_minute
        self.buckets = SharedBuckets(pool, per_minute, self.burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        try:
            who = caller(scope)
        except AmbiguousCredential as exc:
            await send_error(send, exc.status_code, exc.detail)
            return
        try:
            wait = await self.buckets.take(who)
        except pg.DiskFull as exc:
            log.warning("rate limit not applied: the database cannot write (%s)", exc)
            wait = 0
        if wait == 0:
            await self.app(scope, receive, send)
            return
        await send_error(send, 429, (
            f"rate limit exceeded: {self.per_minute} requests per minute per API key "
            f"(RATE_LIMIT_PER_MINUTE), bursts of {self.burst} (RATE_LIMIT_BURST); retry in "
            f"{wait} s"), retry_after=wait)
