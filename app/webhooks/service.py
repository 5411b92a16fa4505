"""Admin operations on webhook endpoints: register (the secret shown once), list, change,
disable, delete, read the delivery log, deliver again."""

import uuid
from typing import Any

from app.config import Settings
from app.domain.caps import check_page
from app.errors import InvalidInput, NotFound
from app.memories.namespaces import validate_namespace
from app.repositories import webhooks as webhooks_sql
from app.repositories import webhooks_deliveries as deliveries_sql
from app.repositories.connection import AsyncConnection, AsyncConnectionPool
from app.repositories.webhooks_rows import DeliveryRecord, WebhookRecord
from app.webhooks.schemas import WebhookCreate, WebhookUpdate
from app.webhooks.signing import new_secret, secret_key
from app.webhooks.url_guard import check_registration


class WebhookService:
    def __init__(self, pool: AsyncConnectionPool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings

    async def create(self, request: WebhookCreate) -> tuple[WebhookRecord, str]:
        secret = request.secret or new_secret()
        fields = await self._checked({**request.model_dump(), "secret": secret})
        async with self.pool.connection() as conn:
            await self._check_key(conn, request.key_id)
            return await webhooks_sql.insert(conn, uuid.uuid4(),
                                             {**fields, "enabled": True}), secret

    async def all(self) -> list[WebhookRecord]:
        async with self.pool.connection() as conn:
            return await webhooks_sql.list_all(conn)

    async def get(self, webhook_id: uuid.UUID) -> WebhookRecord:
        async with self.pool.connection() as conn:
            record = await webhooks_sql.get(conn, webhook_id)
        if record is None:
            raise NotFound(f"no webhook with id {webhook_id}")
        return record

    async def update(self, webhook_id: uuid.UUID,
                     request: WebhookUpdate) -> tuple[WebhookRecord, str | None]:
        """Only the fields sent change; a new secret (rotated) is answered once."""
        sent = request.model_dump(include=request.model_fields_set - {"rotate_secret"})
        if request.rotate_secret:
            if request.secret is not None:
                raise InvalidInput("send either secret or rotate_secret, not both")
            sent["secret"] = new_secret()
        for name in ("url", "event_types", "enabled"):
            if name in sent and sent[name] is None:
                raise InvalidInput(f"{name} cannot be null; omit it to keep it")
        fields = await self._checked(sent)
        async with self.pool.connection() as conn:
            if fields.get("key_id") is not None:
                await self._check_key(conn, fields["key_id"])
            record = await webhooks_sql.update(conn, webhook_id, fields)
        if record is None:
            raise NotFound(f"no webhook with id {webhook_id}")
        return record, fields["secret"] if request.rotate_secret else None

    async def delete(self, webhook_id: uuid.UUID) -> None:
        async with self.pool.connection() as conn:
            if not await webhooks_sql.delete(conn, webhook_id):
                raise NotFound(f"no webhook with id {webhook_id}")

    async def deliveries(self, webhook_id: uuid.UUID, *, status: str | None, limit: int,
                         offset: int) -> list[DeliveryRecord]:
        check_page(self.settings, limit, offset)
        await self.get(webhook_id)
        async with self.pool.connection() as conn:
            return await deliveries_sql.log(conn, webhook_id, status, limit, offset)

    async def redeliver(self, webhook_id: uuid.UUID,
                        delivery_ids: list[int] | None) -> list[int]:
        """The given deliveries (any status) or every failed one, due again now."""
        await self.get(webhook_id)
        async with self.pool.connection() as conn, conn.transaction():
            done = await deliveries_sql.redeliver(conn, webhook_id, delivery_ids)
            missing: list[int] = sorted(set(delivery_ids or ()) - set(done))
            if missing:
                raise NotFound(f"webhook {webhook_id} has no deliveries {missing}")  # rolls back
        return done

    async def _checked(self, fields: dict[str, Any]) -> dict[str, Any]:
        """422 for anything that cannot be delivered as asked."""
        if fields.get("url") is not None:
            await check_registration(fields["url"], self.settings.webhook_allow_private_urls)
        if fields.get("secret") is not None:
            secret_key(fields["secret"])
        if fields.get("event_types") is not None:
            fields["event_types"] = list(dict.fromkeys(fields["event_types"]))
        if fields.get("namespace_prefix") is not None:
            fields["namespace_prefix"] = validate_namespace(fields["namespace_prefix"],
                                                            field="namespace_prefix")
        return fields

    async def _check_key(self, conn: AsyncConnection, key_id: uuid.UUID | None) -> None:
        if key_id is not None and not await webhooks_sql.key_is_active(conn, key_id):
            raise InvalidInput(f"key_id {key_id} is not an active API key (see GET /v1/keys)")
