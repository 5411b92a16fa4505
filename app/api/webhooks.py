"""Admin: webhook endpoints, their delivery log, and redelivery (admin keys only)."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response, status

from app.auth.dependencies import AdminDep
from app.webhooks.schemas import (
    Delivery,
    DeliveryList,
    DeliveryStatus,
    Redelivered,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookOut,
    WebhookUpdate,
)
from app.webhooks.service import WebhookService

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks (admin)"])


async def get_webhooks(request: Request) -> WebhookService:
    return request.app.state.runtime.webhooks


WebhooksDep = Annotated[WebhookService, Depends(get_webhooks)]
NO_WEBHOOK: dict[int | str, dict[str, Any]] = {404: {"description": "No webhook with this id"}}
REFUSED: dict[int | str, dict[str, Any]] = {422: {"description": "A malformed URL, one that "
                                            "reaches a private address, a bad secret, an "
                                            "unknown key or event type"}}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WebhookCreated,
             summary="Register a webhook endpoint (the secret is in this answer only)",
             responses=REFUSED)
async def create_webhook(body: WebhookCreate, webhooks: WebhooksDep,
                         _: AdminDep) -> WebhookCreated:
    record, secret = await webhooks.create(body)
    return WebhookCreated(**WebhookOut.from_record(record).model_dump(), secret=secret)


@router.get("", response_model=WebhookList, summary="List webhook endpoints (never secrets)")
async def list_webhooks(webhooks: WebhooksDep, _: AdminDep) -> WebhookList:
    return WebhookList(webhooks=[WebhookOut.from_record(r) for r in await webhooks.all()])


@router.get("/{webhook_id}", response_model=WebhookOut, summary="Read a webhook endpoint",
            responses=NO_WEBHOOK)
async def get_webhook(webhook_id: uuid.UUID, webhooks: WebhooksDep, _: AdminDep) -> WebhookOut:
    return WebhookOut.from_record(await webhooks.get(webhook_id))


@router.patch("/{webhook_id}", response_model=WebhookOut | WebhookCreated,
              summary="Change, disable (enabled: false) or re-enable a webhook endpoint",
              description="Only the fields sent change. With `rotate_secret: true` the answer "
              "holds the new secret, once.", responses={**NO_WEBHOOK, **REFUSED})
async def update_webhook(webhook_id: uuid.UUID, body: WebhookUpdate, webhooks: WebhooksDep,
                         _: AdminDep) -> WebhookOut | WebhookCreated:
    record, secret = await webhooks.update(webhook_id, body)
    out = WebhookOut.from_record(record)
    return WebhookCreated(**out.model_dump(), secret=secret) if secret else out


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete a webhook endpoint and its delivery log", responses=NO_WEBHOOK)
async def delete_webhook(webhook_id: uuid.UUID, webhooks: WebhooksDep,
                         _: AdminDep) -> Response:
    await webhooks.delete(webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{webhook_id}/deliveries", response_model=DeliveryList,
            summary="The delivery log, newest first", responses=NO_WEBHOOK)
async def list_deliveries(webhook_id: uuid.UUID, webhooks: WebhooksDep, _: AdminDep,
                          delivery_status: Annotated[DeliveryStatus | None,
                                                     Query(alias="status")] = None,
                          limit: Annotated[int, Query(ge=1)] = 50,
                          offset: Annotated[int, Query(ge=0)] = 0) -> DeliveryList:
    found = await webhooks.deliveries(webhook_id, status=delivery_status, limit=limit,
                                      offset=offset)
    return DeliveryList(deliveries=[Delivery.from_record(d) for d in found])


@router.post("/{webhook_id}/redeliver", response_model=Redelivered,
             summary="Deliver again: the given deliveries, or every failed one",
             description="Body `{\"delivery_ids\": [...]}` (any status), or none: every failed "
             "delivery. They are due at once with fresh attempts.", responses=NO_WEBHOOK)
async def redeliver(webhook_id: uuid.UUID, webhooks: WebhooksDep, _: AdminDep,
                    delivery_ids: Annotated[list[int] | None,
                                            Body(embed=True, max_length=1000)] = None
                    ) -> Redelivered:
    return Redelivered(redelivered=await webhooks.redeliver(webhook_id, delivery_ids))
