"""Webhook requests and answers. The secret appears once, in WebhookCreated (and when it is
rotated)."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.repositories.webhooks_rows import DeliveryRecord, WebhookRecord
from app.webhooks.message import message_id

EventType = Literal["memory.created", "memory.updated", "memory.deleted",
                    "job.succeeded", "job.failed", "namespace.forgotten"]
ALL_EVENTS: list[EventType] = ["memory.created", "memory.updated", "memory.deleted",
                               "job.succeeded", "job.failed", "namespace.forgotten"]
DeliveryStatus = Literal["pending", "delivered", "failed"]

_URL = Field(min_length=1, max_length=2000, description="Where to POST events: http(s), a "
             "public address (unless WEBHOOK_ALLOW_PRIVATE_URLS)",
             examples=["https://hooks.example.com/memory"])
_SECRET = Field(None, min_length=30, max_length=200,
                description="'whsec_' + base64 of 24 to 64 bytes; omitted, one is generated "
                "(shown only in this answer)")
_TYPES = Field(min_length=1, max_length=len(ALL_EVENTS), description="The events to receive")
_PREFIX = Field(None, max_length=20, description="Only events under this namespace prefix "
                "(labels); null: every namespace the key may read",
                examples=[["memories", "alice"]])
_KEY = Field(None, description="The API key whose read grants bound what this endpoint "
             "receives; null: admin (everything)")


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"url": "https://hooks.example.com/memory", "event_types": ["memory.created"],
         "namespace_prefix": ["memories", "alice"]}]})
    url: str = _URL
    secret: str | None = _SECRET
    event_types: list[EventType] = Field(default_factory=lambda: list(ALL_EVENTS),
                                         min_length=1, max_length=len(ALL_EVENTS),
                                         description="The events to receive; omitted: all")
    namespace_prefix: list[str] | None = _PREFIX
    key_id: uuid.UUID | None = _KEY
    description: str | None = Field(None, max_length=500)


class WebhookUpdate(BaseModel):
    """Only the fields sent change; `enabled: false` pauses deliveries (events meanwhile are
    not sent to it), `rotate_secret` makes a new secret (in this answer only)."""
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(None, min_length=1, max_length=2000)
    secret: str | None = _SECRET
    rotate_secret: bool = False
    event_types: list[EventType] | None = Field(None, min_length=1, max_length=len(ALL_EVENTS))
    namespace_prefix: list[str] | None = _PREFIX
    key_id: uuid.UUID | None = _KEY
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = None


class WebhookOut(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    namespace_prefix: list[str] | None
    key_id: uuid.UUID | None
    description: str | None
    enabled: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_record(cls, record: WebhookRecord) -> "WebhookOut":
        prefix = list(record.namespace_prefix) if record.namespace_prefix else None
        return cls(id=record.id, url=record.url, event_types=record.event_types,
                   namespace_prefix=prefix, key_id=record.key_id,
                   description=record.description, enabled=record.enabled,
                   created_at=record.created_at, updated_at=record.updated_at)


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Verifies the webhook-signature header; shown only now")


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]


class Delivery(BaseModel):
    id: int
    event_id: str = Field(description="The webhook-id header the receiver saw")
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="null once delivered or failed")
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def from_record(cls, record: DeliveryRecord) -> "Delivery":
        return cls(id=record.id, event_id=message_id(record.event_id),
                   event_type=record.event_type, status=record.status,
                   attempts=record.attempts, last_status_code=record.last_status_code,
                   last_error=record.last_error, next_attempt_at=record.next_attempt_at,
                   delivered_at=record.delivered_at, created_at=record.created_at)


class DeliveryList(BaseModel):
    deliveries: list[Delivery]


class Redelivered(BaseModel):
    redelivered: list[int] = Field(description="Ids of the deliveries due again now")
