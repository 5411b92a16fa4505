"""API keys: create, list, revoke, and turn a presented key into a Principal."""

import hashlib
import hmac
import ipaddress
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta

from app.auth.schemas import KeyCreate
from app.config import Settings
from app.domain.keys import KeyRecord
from app.domain.principal import OPEN_ACCESS, Grant, Principal
from app.errors import NotFound, Unauthorized
from app.memories.namespaces import validate_namespace
from app.repositories import api_keys as keys_sql
from app.repositories.connection import AsyncConnectionPool

KEY_PREFIX = "msk_"
VISIBLE_CHARS = 12  # "msk_" + 8: enough to tell keys apart, far too little to guess one
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is a hint, not an audit log
ADMIN = Principal(key_id="admin", identity=None, grants=(Grant((), write=True),), admin=True)
# While no key exists every keyless request would ask the database whether one does (0.65 ms
# of a ~1.2 ms request): "none" is remembered this long. A key made here ends open access at
# once; one made by another process (the CLI) within this time.
OPEN_RECHECK_SECONDS = 1.0
HOW_TO_CREATE = ("create one with `memory-service keys create --name NAME --write PREFIX` "
                 "or set ADMIN_API_KEY")


class InsecureStart(RuntimeError):
    """Listening beyond loopback with no key configured."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class KeyService:
    def __init__(self, pool: AsyncConnectionPool, settings: Settings) -> None:
        self.pool = pool
        admin = settings.admin_api_key
        self.admin_hash = hash_key(admin.get_secret_value()) if admin else None
        self.allow_unauthenticated = settings.allow_unauthenticated
        self._open_until = 0.0  # monotonic time until which "no key exists" is trusted

    async def create(self, request: KeyCreate) -> tuple[KeyRecord, str]:
        grants = [{"prefix": list(validate_namespace(g.prefix, field="grants.prefix",
                                                     allow_empty=True)),
                   "access": g.access} for g in request.grants]
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        async with self.pool.connection() as conn:
            record = await keys_sql.insert_key(
                conn, key_id=uuid.uuid4(), name=request.name, identity=request.identity,
                visible_prefix=key[:VISIBLE_CHARS], key_hash=hash_key(key), grants=grants,
                admin=request.admin)
        self._open_until = 0.0
        return record, key

    async def list(self, *, include_revoked: bool = False) -> list[KeyRecord]:
        async with self.pool.connection() as conn:
            return await keys_sql.list_keys(conn, include_revoked=include_revoked)

    async def revoke(self, key_id: uuid.UUID) -> KeyRecord:
        async with self.pool.connection() as conn:
            record = await keys_sql.revoke(conn, key_id)
        if record is None:
            raise NotFound(f"no API key with id {key_id}")
        return record

    async def configured(self) -> bool:
        if self.admin_hash:
            return True
        if self._open_until > time.monotonic():
            return False
        async with self.pool.connection() as conn:
            found = await keys_sql.any_active(conn)
        self._open_until = 0.0 if found else time.monotonic() + OPEN_RECHECK_SECONDS
        return found

    async def authenticate(self, presented: str | None) -> Principal:
        if not presented:
            if await self.configured():
                raise Unauthorized("this service needs an API key: send 'Authorization: "
                                   "Bearer <key>' or 'x-api-key: <key>'")
            return OPEN_ACCESS
        digest = hash_key(presented)
        if self.admin_hash and hmac.compare_digest(digest, self.admin_hash):
            return ADMIN
        async with self.pool.connection() as conn:
            record = await keys_sql.active_by_hash(conn, digest)
            if record is None:
                raise Unauthorized("the API key is unknown or revoked")
            if record.last_used_at is None or \
                    datetime.now(UTC) - record.last_used_at > TOUCH_EVERY:
                await keys_sql.touch(conn, record.id)
        return principal_of(record)

    async def check_exposure(self, host: str) -> None:
        """Secure by default: refuse to serve beyond loopback with nobody able to sign in."""
        if is_loopback(host) or self.allow_unauthenticated or await self.configured():
            return
        raise InsecureStart(
            f"refusing to listen on {host} with no API key configured: anyone who can reach "
            f"it could read and change every memory. Set ADMIN_API_KEY, or {HOW_TO_CREATE}; "
            "or set ALLOW_UNAUTHENTICATED=true to serve without keys on purpose")


def principal_of(record: KeyRecord) -> Principal:
    grants = tuple(Grant(tuple(g["prefix"]), write=g["access"] == "write")
                   for g in record.grants)
    if record.admin:
        grants = (Grant((), write=True),)
    return Principal(key_id=str(record.id), identity=record.identity, grants=grants,
                     admin=record.admin)
