"""An API key as stored: only its hash; a revoked key stays listed, marked revoked."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class KeyRecord:
    id: uuid.UUID
    name: str
    identity: str | None
    visible_prefix: str
    key_hash: str
    grants: list[dict[str, Any]]
    admin: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
