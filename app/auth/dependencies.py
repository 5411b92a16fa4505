"""The API key on a request: `Authorization: Bearer <key>` or `x-api-key: <key>` (what
langgraph_sdk sends). Declared on every API router; endpoints take PrincipalDep."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.auth.credentials import presented_credential
from app.auth.keys import KeyService
from app.domain.principal import Principal

# auto_error=False: no key is fine while none is configured; KeyService decides.
bearer = HTTPBearer(auto_error=False, description="An API key as a bearer token")
api_key_header = APIKeyHeader(name="x-api-key", auto_error=False,
                              description="An API key (what langgraph_sdk sends)")


async def get_key_service(request: Request) -> KeyService:
    return request.app.state.runtime.keys


KeyServiceDep = Annotated[KeyService, Depends(get_key_service)]


async def authenticate(
    request: Request, keys: KeyServiceDep,
    # declared for the OpenAPI schema; the key is read by app.auth.credentials, as the
    # rate limits and idempotency records read it
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    _api_key: Annotated[str | None, Depends(api_key_header)],
) -> Principal:
    principal = await keys.authenticate(presented_credential(request.scope))
    request.state.principal = principal
    return principal


async def authenticate_admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    principal.require_admin()
    return principal


PrincipalDep = Annotated[Principal, Depends(authenticate)]
AdminDep = Annotated[Principal, Depends(authenticate_admin)]

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Two different API keys in one request (send one), or a JSON body "
          "that could not be read"},
    401: {"description": "No API key, or an unknown or revoked one"},
    403: {"description": "The key's grants do not allow this"},
}
