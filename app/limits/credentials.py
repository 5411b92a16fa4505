"""The credential a request presents, hashed: the identity rate limits and idempotency
records are scoped by. Read from the headers directly, so these limits work whether or not
the key turns out to be valid (a bad key is still throttled)."""

import hashlib

from starlette.types import Scope


def presented_credential(scope: Scope) -> bytes | None:
    headers = dict(scope["headers"])  # ASGI header names are lower-case
    authorization = headers.get(b"authorization", b"")
    if authorization[:7].lower() == b"bearer ":
        token = authorization[7:].strip()
        if token:
            return token
    return headers.get(b"x-api-key", b"").strip() or None


def credential_hash(scope: Scope) -> str | None:
    credential = presented_credential(scope)
    return hashlib.sha256(credential).hexdigest() if credential else None
