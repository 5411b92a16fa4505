"""The one reading of the API key a request presents, shared by authentication, MCP, rate
limits and idempotency records: if each read the headers its own way, a second junk header
could be counted by one and trusted by another. `Authorization: Bearer <key>` and
`x-api-key: <key>` both count; the same key sent twice is one credential, two different ones
are refused (400)."""

import hashlib

from starlette.types import Scope

from app.errors import BadRequest

_STATE_KEY = "presented_credential"


class AmbiguousCredential(BadRequest):
    def __init__(self, count: int) -> None:
        super().__init__(f"send one API key: this request carries {count} different "
                         "credentials in its Authorization: Bearer and x-api-key headers")


def presented_credential(scope: Scope) -> str | None:
    """The key, or None when the request sends none; read once and kept on the scope."""
    state = scope.setdefault("state", {})
    if _STATE_KEY not in state:
        state[_STATE_KEY] = _read(scope)
    return state[_STATE_KEY]


def credential_hash(scope: Scope) -> str | None:
    credential = presented_credential(scope)
    return hashlib.sha256(credential.encode()).hexdigest() if credential else None


def _read(scope: Scope) -> str | None:
    found: set[str] = set()
    for name, value in scope["headers"]:  # ASGI header names are lower-case bytes
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                found.add(token.strip())
        elif name == b"x-api-key" and value.strip():
            found.add(value.decode("latin-1").strip())
    if len(found) > 1:
        raise AmbiguousCredential(len(found))
    return found.pop() if found else None
