"""API key requests and answers. The key itself appears once, in KeyCreated."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.domain.keys import KeyRecord


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefix: list[str] = Field(description="Namespace prefix, as labels; [] is the whole store",
                              examples=[["memories", "alice"]])
    access: Literal["read", "write"] = Field(description="write includes read")


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "alice's agent", "identity": "alice",
         "grants": [{"prefix": ["memories", "alice"], "access": "write"}]},
    ]})
    name: str = Field(min_length=1, max_length=200, description="What the key is for")
    identity: str | None = Field(None, min_length=1, max_length=256, pattern=r"^[^.]+$",
                                 description="The user the key acts as: fills {user_id} in "
                                 "namespace templates, and no other user_id is accepted")
    grants: list[GrantIn] = Field(default_factory=list, max_length=100)
    admin: bool = Field(False, description="May manage keys and extraction profiles")


class KeyOut(BaseModel):
    id: uuid.UUID
    name: str
    identity: str | None
    prefix: str = Field(description="The key's first characters, to tell keys apart")
    grants: list[GrantIn]
    admin: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_record(cls, record: KeyRecord) -> "KeyOut":
        return cls(id=record.id, name=record.name, identity=record.identity,
                   prefix=record.visible_prefix, grants=record.grants, admin=record.admin,
                   created_at=record.created_at, last_used_at=record.last_used_at,
                   revoked_at=record.revoked_at)


class KeyCreated(KeyOut):
    key: str = Field(description="The secret; shown only now, stored only as a hash")


class KeyList(BaseModel):
    keys: list[KeyOut]
