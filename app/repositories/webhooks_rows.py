"""Webhook rows as the repositories return them: an endpoint (with the grants of the key it
is bound to), an event of the outbox, a delivery of the log."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class WebhookRecord:
    id: uuid.UUID
    url: str
    secret: str
    event_types: list[str]
    namespace_prefix: tuple[str, ...] | None
    key_id: uuid.UUID | None
    description: str | None
    enabled: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "WebhookRecord":
        prefix = row["namespace_prefix"]
        return cls(**{**{f: row[f] for f in cls.__dataclass_fields__},
                      "namespace_prefix": tuple(prefix.split(".")) if prefix else None})


@dataclass
class Subscriber:
    """An enabled endpoint, as the dispatcher matches events to it. `key_grants` is None for
    an admin endpoint; `key_active` False once its key is revoked."""
    webhook: WebhookRecord
    key_grants: list[dict[str, Any]] | None
    key_admin: bool
    key_active: bool


@dataclass
class EventRecord:
    id: int
    type: str
    namespace: tuple[str, ...]
    subject: str
    payload: dict[str, Any]
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "EventRecord":
        return cls(id=row["id"], type=row["type"], namespace=tuple(row["prefix"].split(".")),
                   subject=row["subject"], payload=row["payload"],
                   created_at=row["created_at"])


@dataclass
class DeliveryRecord:
    id: int
    webhook_id: uuid.UUID
    event_id: int
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "DeliveryRecord":
        return cls(**{f: row[f] for f in cls.__dataclass_fields__})


@dataclass
class Attempt:
    """A delivery claimed for one attempt: what to send, where, signed with what."""
    delivery_id: int
    attempts: int  # including this one
    url: str
    secret: str
    event: EventRecord
