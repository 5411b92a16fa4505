"""What an event looks like on the wire: Standard Webhooks' {"type", "timestamp", "data"},
and its id (the webhook-id header), the same on every attempt so receivers can drop
duplicates (delivery is at least once)."""

import json

from app.repositories.webhooks_rows import EventRecord


def message_id(event_id: int) -> str:
    return f"evt_{event_id}"


def body(event: EventRecord) -> bytes:
    return json.dumps({"type": event.type, "timestamp": event.created_at.isoformat(),
                       "data": event.payload}, ensure_ascii=False,
                      separators=(",", ":")).encode()
