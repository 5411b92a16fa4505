"""An Idempotency-Key record: which request it belongs to, and the answer kept for a retry."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The record's key: the same Idempotency-Key under another credential, method or path
    is another record."""

    credential: str  # hash of the presented credential, '' without one
    method: str
    path: str
    key: str


@dataclass
class IdempotencyRecord:
    request_hash: str
    status: int | None  # None: the first attempt is still in flight
    headers: list[list[str]] | None
    body: bytes | None
