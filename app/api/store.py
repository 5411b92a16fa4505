"""LangGraph's store API (/store/...), answering exactly as LangGraph's own server does."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.api.deps import MemoryServiceDep
from app.api.store_schemas import (
    StoreDelete,
    StoreItem,
    StoreListNamespaces,
    StoreNamespacesResponse,
    StorePut,
    StoreSearch,
    StoreSearchItem,
    StoreSearchResponse,
)
from app.auth.dependencies import PrincipalDep
from app.domain.history import Origin
from app.errors import BadRequest
from app.memories.namespaces import parse_dotted
from app.memories.readable_namespaces import list_readable_namespaces

router = APIRouter(prefix="/store", tags=["store (LangGraph API)"])
STORE_API = Origin("store")


@router.put("/items", status_code=status.HTTP_204_NO_CONTENT, summary="Put an item")
async def put_item(body: StorePut, memories: MemoryServiceDep,
                   principal: PrincipalDep) -> Response:
    await memories.put(principal.require_write(body.namespace), body.key, body.value,
                       origin=STORE_API,
                       ttl=body.ttl, index=body.index)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/items", response_model=StoreItem | None,
            summary="Get an item (null when it does not exist)",
            responses={400: {"description": "namespace or key is missing, or two different API "
                                     "keys in one request"}})
async def get_item(
    memories: MemoryServiceDep,
    principal: PrincipalDep,
    namespace: Annotated[str | None, Query(examples=["memories.alice"])] = None,
    key: Annotated[str | None, Query()] = None,
    refresh_ttl: Annotated[bool, Query()] = True,
) -> StoreItem | None:
    if not key:
        raise BadRequest("the 'key' query parameter is required")
    if not namespace:
        raise BadRequest("the 'namespace' query parameter is required (labels joined by '.')")
    item = await memories.find(principal.require_read(parse_dotted(namespace)), key,
                               refresh_ttl=refresh_ttl)
    return StoreItem.from_stored(item) if item else None


@router.delete("/items", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete an item (also when it does not exist)")
async def delete_item(body: StoreDelete, memories: MemoryServiceDep,
                      principal: PrincipalDep) -> Response:
    await memories.delete(principal.require_write(body.namespace), body.key, origin=STORE_API,
                          missing_ok=True)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/items/search", response_model=StoreSearchResponse, summary="Search items")
async def search_items(body: StoreSearch, memories: MemoryServiceDep,
                       principal: PrincipalDep) -> StoreSearchResponse:
    scope = principal.scope(body.namespace_prefix)
    if scope is None:  # nothing readable under it: an empty page, as for an empty prefix
        return StoreSearchResponse(items=[])
    found = await memories.search(scope, query=body.query,
                                  filter=body.filter, limit=body.limit, offset=body.offset,
                                  refresh_ttl=bool(body.refresh_ttl))
    return StoreSearchResponse(items=[StoreSearchItem.from_stored(i) for i in found])


@router.post("/namespaces", response_model=StoreNamespacesResponse, summary="List namespaces")
async def list_namespaces(body: StoreListNamespaces, memories: MemoryServiceDep,
                          principal: PrincipalDep) -> StoreNamespacesResponse:
    found = await list_readable_namespaces(memories, principal, prefix=tuple(body.prefix or ()),
                                           suffix=tuple(body.suffix or ()),
                                           max_depth=body.max_depth, limit=body.limit,
                                           offset=body.offset)
    return StoreNamespacesResponse(namespaces=[list(n) for n in found])
