"""Idempotency-Key on creating requests, as pure ASGI middleware (it must answer a replay
before the route runs): the same key and body replay the first response, another body gets
422, and while the first attempt is in flight a retry gets 409. Records live in Postgres
(app/repositories/idempotency.py), so they hold across processes and restarts, with the
namespaces they name, so that forget erases them too."""

import contextlib
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.credentials import credential_hash, presented_credential
from app.auth.keys import KeyService
from app.config import Settings
from app.domain.idempotency import IdempotencyRecord
from app.domain.idempotency import Scope as RecordScope
from app.errors import AppError
from app.limits import idempotency_namespaces as namespaces
from app.limits.responses import send_error
from app.repositories import idempotency as records
from app.repositories.connection import AsyncConnection, AsyncConnectionPool

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENT_ROUTES = frozenset({("POST", "/v1/memories"), ("POST", "/v1/memories/batch"),
                               ("POST", "/v1/extract"), ("POST", "/v1/jobs/extract")})
MAX_KEY_LENGTH = 255
# Answers that say the request did not run and may succeed later are not kept: a retry runs.
NOT_KEPT = frozenset({401, 403, 408, 425, 429})
UNSTORED_HEADERS = frozenset({"content-length", "date", "server", "connection",
                              "transfer-encoding"})
CLEANUP_INTERVAL_SECONDS = 60.0
CLEANUP_BATCH = 1000

DESCRIPTION = (
    "Makes retries safe: the same key with the same body replays the first response (with "
    f"`{REPLAYED_HEADER}: true`) instead of running again; the same key with another body "
    "gets 422; while the first request is still running, 409. Keys are scoped by API key, "
    "method and path and kept IDEMPOTENCY_TTL_SECONDS. Responses 5xx, 401, 403, 408, 425 "
    "and 429 are not kept, so a retry runs again.")


async def idempotency_key_header(idempotency_key: Annotated[str | None, Header(
        alias=HEADER, min_length=1, max_length=MAX_KEY_LENGTH, description=DESCRIPTION,
        examples=["4f8c2a9e-7d1b-4c55-9a1e-2b6f0d3c8e71"])] = None) -> None:
    """Documents the header in OpenAPI; the Idempotency middleware acts on it."""


IDEMPOTENT = Depends(idempotency_key_header)


def parse_json(body: bytes) -> object:
    """NOT_JSON for what the route itself will refuse (malformed, or nested past what
    Python's parser recurses into): the record then compares the raw bytes."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return namespaces.NOT_JSON


def request_hash(query_string: bytes, body: bytes, parsed: object) -> str:
    """JSON bodies are compared as JSON, so a client that reorders keys still matches."""
    if parsed is not namespaces.NOT_JSON:
        # as deep as the parser allows but deeper than the encoder does: raw bytes
        with contextlib.suppress(RecursionError):
            body = json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(query_string + b"\n" + body).hexdigest()


class Idempotency:
    def __init__(self, app: ASGIApp, pool: Callable[[], AsyncConnectionPool],
                 keys: Callable[[], KeyService], settings: Settings) -> None:
        self.app = app
        # getters: the pool and the key service open with the lifespan, after this is built
        self.pool = pool
        self.keys = keys
        self.lock_seconds = settings.idempotency_lock_seconds
        self.ttl_seconds = settings.idempotency_ttl_seconds
        self._next_cleanup = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _key(scope) if scope["type"] == "http" else None
        if key is None or (scope["method"], scope["path"]) not in IDEMPOTENT_ROUTES:
            await self.app(scope, receive, send)
            return
        if not (key and len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
            await send_error(send, 422, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable "
                             "ASCII characters")
            return
        if not await self._authenticated(scope):
            await self.app(scope, receive, send)  # the route refuses it, as without the header
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client left before sending its body
        record_scope = RecordScope(credential_hash(scope) or "", scope["method"],
                                     scope["path"], key)
        parsed = parse_json(body)
        digest = request_hash(scope.get("query_string", b""), body, parsed)
        # known while in flight: a forget meanwhile erases the record, so the answer is not kept
        requested = namespaces.requested(scope["path"], parsed)
        attempt = uuid.uuid4()
        existing = await self._claim(record_scope, digest, attempt, requested)
        if existing is not None:
            await _answer_existing(send, existing, digest, key)
            return
        await self._run(scope, _replay(body, receive), send, record_scope, attempt, requested)

    async def _authenticated(self, scope: Scope) -> bool:
        """Only a caller who may call now gets a stored answer: a revoked key, or a keyless
        caller once keys exist, must not replay what an earlier request was answered."""
        try:
            await self.keys().authenticate(presented_credential(scope))
        except AppError:
            return False
        return True

    async def _claim(self, scope: RecordScope, digest: str, attempt: uuid.UUID,
                     requested: namespaces.Namespaces) -> IdempotencyRecord | None:
        """None when this attempt holds the key, else the record that does."""
        async with self.pool().connection() as conn:
            await self._cleanup(conn)
            for _ in range(3):  # a record released between our insert and read: claim again
                if await records.claim(conn, scope, digest, attempt, self.lock_seconds,
                                       self.ttl_seconds, requested):
                    return None
                existing = await records.get(conn, scope)
                if existing is not None:
                    return existing
        raise RuntimeError(f"could not claim {HEADER} {scope.key!r}")

    async def _run(self, scope: Scope, receive: Receive, send: Send, key: RecordScope,
                   attempt: uuid.UUID, requested: namespaces.Namespaces) -> None:
        response = _Captured()

        async def capture(message: Message) -> None:
            response.add(message)  # before sending: a client gone mid-answer still counts
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            await self._settle(key, attempt, response, requested)

    async def _settle(self, key: RecordScope, attempt: uuid.UUID, response: "_Captured",
                      requested: namespaces.Namespaces) -> None:
        """Keep a finished answer for replay; release the key after a failure (5xx, an
        exception, a refusal that may pass later) so a retry runs again."""
        keep = (response.complete and response.status < 500
                and response.status not in NOT_KEPT)
        async with self.pool().connection() as conn:
            if keep:
                body = response.body
                await records.complete(conn, key, attempt, response.status,
                                       response.headers, body, namespaces.stored(
                                           requested, response.status, parse_json(body)))
            else:
                await records.release(conn, key, attempt)

    async def _cleanup(self, conn: AsyncConnection) -> None:
        now = time.monotonic()
        if now < self._next_cleanup:
            return
        self._next_cleanup = now + CLEANUP_INTERVAL_SECONDS
        deleted = await records.delete_expired(conn, CLEANUP_BATCH)
        if deleted:
            log.debug("deleted %d expired idempotency records", deleted)


class _Captured:
    def __init__(self) -> None:
        self.status = 0
        self.headers: list[list[str]] = []
        self.chunks: list[bytes] = []
        self.complete = False

    def add(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [[n.decode("latin-1"), v.decode("latin-1")]
                            for n, v in message.get("headers", [])
                            if n.decode("latin-1").lower() not in UNSTORED_HEADERS]
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
            self.complete = not message.get("more_body", False)

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


def _key(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"idempotency-key":
            return value.decode("latin-1").strip()
    return None


async def _read_body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the client's own messages (a later disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer_existing(send: Send, record: IdempotencyRecord, digest: str,
                           key: str) -> None:
    if record.request_hash != digest:
        await send_error(send, 422, f"{HEADER} {key!r} was already used with a different "
                      "request body; use a new key for a new request")
    elif record.status is None:
        await send_error(send, 409, f"the request with {HEADER} {key!r} is still in progress; "
                      "retry once it has finished", retry_after=1)
    else:
        body = bytes(record.body or b"")
        headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in record.headers or []]
        headers += [(b"content-length", str(len(body)).encode()),
                    (REPLAYED_HEADER.lower().encode(), b"true")]
        await send({"type": "http.response.start", "status": record.status,
                    "headers": headers})
        await send({"type": "http.response.body", "body": body})

