"""v1 whoami: the calling key, its grants and whether it is an admin.

The memory browser shows who is signed in and browses each granted prefix on its own: a key
with grants on several prefixes cannot list "everything" in one call (Principal.scope).
"""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.auth.dependencies import KeyServiceDep, PrincipalDep
from app.auth.schemas import GrantIn

router = APIRouter(prefix="/v1", tags=["keys (admin)"])
NAMES = {None: "open access (no keys configured)", "admin": "admin (ADMIN_API_KEY)"}


class WhoAmI(BaseModel):
    key_id: str | None = Field(description="None while no keys are configured")
    name: str = Field(description="The key's name, as created")
    identity: str | None = Field(description="The user_id this key acts as, if any")
    admin: bool
    grants: list[GrantIn]


@router.get("/whoami", response_model=WhoAmI, summary="The calling API key and its grants")
async def whoami(principal: PrincipalDep, keys: KeyServiceDep) -> WhoAmI:
    name = NAMES.get(principal.key_id)
    if name is None:  # a key from the database: its name is on its record
        found = [k for k in await keys.list() if str(k.id) == principal.key_id]
        name = found[0].name if found else principal.key_id
    access: dict[bool, Literal["read", "write"]] = {True: "write", False: "read"}
    return WhoAmI(key_id=principal.key_id, name=name, identity=principal.identity,
                  admin=principal.admin,
                  grants=[GrantIn(prefix=list(g.prefix), access=access[g.write])
                          for g in principal.grants])
