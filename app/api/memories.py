"""v1 memories: create, batch create, get, replace, delete, list a namespace."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.api.deps import MemoryServiceDep
from app.auth.dependencies import PrincipalDep
from app.domain.history import Origin
from app.domain.items import StoredItem
from app.domain.time_range import ListOrder, Order, Sort, TimeRange
from app.limits.idempotency import IDEMPOTENT
from app.memories.namespaces import validate_namespace
from app.memories.query_namespace import parse_ns_query
from app.memories.schemas import Memory, MemoryBatchCreate, MemoryCreate, MemoryPage, MemoryWrite
from app.memories.values import as_memory_value, memory_value

router = APIRouter(prefix="/v1/memories", tags=["memories"])

API = Origin("api")

TimeQuery = Annotated[str | None, Query(
    max_length=64, description="ISO 8601 date or date-time (a date is its start, a time "
    "without offset is UTC); *_after keeps items at or after it, *_before items before it",
    examples=["2024-05-01"])]
NamespaceQuery = Annotated[str, Query(
    description="The memory's namespace, labels joined by '.'", examples=["memories.alice"])]


def to_memory(item: StoredItem) -> Memory:
    return Memory.from_stored(item, as_memory_value(item.value))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Memory,
             summary="Create a memory", dependencies=[IDEMPOTENT],
             responses={409: {"description": "The key already exists in the namespace"}})
async def create_memory(body: MemoryCreate, memories: MemoryServiceDep,
                        principal: PrincipalDep) -> Memory:
    item = await memories.create(principal.require_write(body.namespace), body.key,
                                 memory_value(body.kind, body.content, body.occurred_at),
                                 origin=API, ttl=body.ttl, index=body.index)
    return to_memory(item)


@router.post("/batch", status_code=status.HTTP_201_CREATED, response_model=list[Memory],
             summary="Create many memories at once (embedded in batches)",
             dependencies=[IDEMPOTENT],
             responses={409: {"description": "A key already exists in its namespace"}})
async def create_memories(body: MemoryBatchCreate, memories: MemoryServiceDep,
                          principal: PrincipalDep) -> list[Memory]:
    created = await memories.create_many([
        (principal.require_write(validate_namespace(m.namespace)), m.key,
         memory_value(m.kind, m.content, m.occurred_at), m.ttl, m.index)
        for m in body.items
    ], origin=API)
    return [to_memory(i) for i in created]


@router.get("", response_model=MemoryPage,
            summary="List a namespace, last updated first (or as sort/order say)")
async def list_memories(namespace: NamespaceQuery, memories: MemoryServiceDep,
                        principal: PrincipalDep,
                        limit: Annotated[int, Query(ge=1)] = 20,
                        offset: Annotated[int, Query(ge=0)] = 0,
                        created_after: TimeQuery = None, created_before: TimeQuery = None,
                        updated_after: TimeQuery = None, updated_before: TimeQuery = None,
                        sort: Sort = "updated", order: Order = "desc") -> MemoryPage:
    times = TimeRange.parse(created_after=created_after, created_before=created_before,
                            updated_after=updated_after, updated_before=updated_before)
    items = await memories.list_namespace(principal.require_read(parse_ns_query(namespace)),
                                          limit=limit, offset=offset, times=times,
                                          order=ListOrder(sort, order))
    return MemoryPage(items=[to_memory(i) for i in items], limit=limit, offset=offset)


@router.get("/{key:path}", response_model=Memory, summary="Get a memory",
            responses={404: {"description": "No such memory"}})
async def get_memory(key: str, namespace: NamespaceQuery, memories: MemoryServiceDep,
                     principal: PrincipalDep) -> Memory:
    return to_memory(await memories.get(principal.require_read(parse_ns_query(namespace)), key))


@router.put("/{key:path}", response_model=Memory, summary="Replace a memory",
            responses={404: {"description": "No such memory"}})
async def replace_memory(key: str, namespace: NamespaceQuery, body: MemoryWrite,
                         memories: MemoryServiceDep, principal: PrincipalDep) -> Memory:
    item = await memories.replace(principal.require_write(parse_ns_query(namespace)), key,
                                  memory_value(body.kind, body.content, body.occurred_at),
                                  origin=API, ttl=body.ttl, index=body.index)
    return to_memory(item)


@router.delete("/{key:path}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a memory",
               responses={404: {"description": "No such memory"}})
async def delete_memory(key: str, namespace: NamespaceQuery,
                        memories: MemoryServiceDep, principal: PrincipalDep) -> Response:
    await memories.delete(principal.require_write(parse_ns_query(namespace)), key, origin=API)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
