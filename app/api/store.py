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
from app.errors import BadRequest
from app.memories.namespaces import parse_dotted
from app.repositories.history import Origin

router = APIRouter(prefix="/store", tags=["store (LangGraph API)"])
STORE_API = Origin("store")


@router.put("/items", status_code=status.HTTP_204_NO_CONTENT, summary="Put an item")
async def put_item(body: StorePut, memories: MemoryServiceDep) -> Response:
    await memories.put(tuple(body.namespace), body.key, body.value, origin=STORE_API,
                       ttl=body.ttl, index=body.index)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/items", response_model=StoreItem | None,
            summary="Get an item (null when it does not exist)")
async def get_item(
    memories: MemoryServiceDep,
    namespace: Annotated[str | None, Query(examples=["memories.alice"])] = None,
    key: Annotated[str | None, Query()] = None,
    refresh_ttl: Annotated[bool, Query()] = True,
) -> StoreItem | None:
    if not key:
        raise BadRequest("the 'key' query parameter is required")
    if not namespace:
        raise BadRequest("the 'namespace' query parameter is required (labels joined by '.')")
    item = await memories.find(parse_dotted(namespace), key, refresh_ttl=refresh_ttl)
    return StoreItem.from_stored(item) if item else None


@router.delete("/items", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete an item (also when it does not exist)")
async def delete_item(body: StoreDelete, memories: MemoryServiceDep) -> Response:
    await memories.delete(tuple(body.namespace), body.key, origin=STORE_API, missing_ok=True)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/items/search", response_model=StoreSearchResponse, summary="Search items")
async def search_items(body: StoreSearch, memories: MemoryServiceDep) -> StoreSearchResponse:
    found = await memories.search(tuple(body.namespace_prefix), query=body.query,
                                  filter=body.filter, limit=body.limit, offset=body.offset,
                                  refresh_ttl=bool(body.refresh_ttl))
    return StoreSearchResponse(items=[StoreSearchItem.from_stored(i) for i in found])


@router.post("/namespaces", response_model=StoreNamespacesResponse, summary="List namespaces")
async def list_namespaces(body: StoreListNamespaces,
                          memories: MemoryServiceDep) -> StoreNamespacesResponse:
    found = await memories.list_namespaces(prefix=tuple(body.prefix or ()),
                                           suffix=tuple(body.suffix or ()),
                                           max_depth=body.max_depth, limit=body.limit,
                                           offset=body.offset)
    return StoreNamespacesResponse(namespaces=[list(n) for n in found])
