"""Admin: create, list and revoke API keys (admin keys only)."""

import uuid

from fastapi import APIRouter, status

from app.auth.dependencies import AdminDep, KeyServiceDep
from app.auth.schemas import KeyCreate, KeyCreated, KeyList, KeyOut

router = APIRouter(prefix="/v1/keys", tags=["keys (admin)"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=KeyCreated,
             summary="Create an API key (the key is in this answer only)")
async def create_key(body: KeyCreate, keys: KeyServiceDep, _: AdminDep) -> KeyCreated:
    record, key = await keys.create(body)
    return KeyCreated(**KeyOut.from_record(record).model_dump(), key=key)


@router.get("", response_model=KeyList, summary="List API keys (never the keys themselves)")
async def list_keys(keys: KeyServiceDep, _: AdminDep,
                    include_revoked: bool = False) -> KeyList:
    return KeyList(keys=[KeyOut.from_record(r)
                         for r in await keys.list(include_revoked=include_revoked)])


@router.delete("/{key_id}", response_model=KeyOut, summary="Revoke an API key",
               responses={404: {"description": "No API key with this id"}})
async def revoke_key(key_id: uuid.UUID, keys: KeyServiceDep, _: AdminDep) -> KeyOut:
    return KeyOut.from_record(await keys.revoke(key_id))
