"""v1 search: hybrid, semantic or keyword search with filters and paging, or a filtered listing
without a query."""

from fastapi import APIRouter

from app.api.deps import MemoryServiceDep
from app.auth.dependencies import PrincipalDep
from app.domain.time_range import ListOrder, TimeRange
from app.memories.schemas import ScoredMemory, SearchRequest, SearchResults
from app.memories.values import as_memory_value

router = APIRouter(prefix="/v1", tags=["search"])


@router.post("/search", response_model=SearchResults, summary="Search memories")
async def search_memories(body: SearchRequest, memories: MemoryServiceDep,
                          principal: PrincipalDep) -> SearchResults:
    times = TimeRange.parse(created_after=body.created_after,
                            created_before=body.created_before,
                            updated_after=body.updated_after, updated_before=body.updated_before)
    order = None
    if body.sort or body.order:
        order = ListOrder(body.sort or "updated", body.order or "desc")
    scope = principal.scope(body.namespace_prefix)
    if scope is None:  # nothing readable under it
        return SearchResults(items=[])
    found = await memories.search(scope, query=body.query,
                                  filter=body.filter, limit=body.limit, offset=body.offset,
                                  mode=body.mode, times=times, order=order)
    return SearchResults(items=[ScoredMemory.from_stored(i, as_memory_value(i.value))
                                for i in found])
