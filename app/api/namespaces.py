"""v1 namespaces: list the namespaces that hold memories."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import MemoryServiceDep
from app.auth.dependencies import PrincipalDep
from app.memories.query_namespace import parse_ns_query
from app.memories.readable_namespaces import list_readable_namespaces
from app.memories.schemas import NamespaceList

router = APIRouter(prefix="/v1", tags=["namespaces"])


@router.get("/namespaces", response_model=NamespaceList, summary="List namespaces")
async def list_namespaces(
    memories: MemoryServiceDep,
    principal: PrincipalDep,
    prefix: Annotated[str | None, Query(description="Only under this namespace (dotted); "
                                        "'*' matches any one label", examples=["memories"])] = None,
    suffix: Annotated[str | None, Query(description="Only ending with these labels (dotted)",
                                        examples=["alice"])] = None,
    max_depth: Annotated[int | None,
                         Query(ge=1, description="Truncate to this many labels")] = None,
    limit: Annotated[int, Query(ge=1)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> NamespaceList:
    found = await list_readable_namespaces(
        memories, principal,
        prefix=parse_ns_query(prefix, field="prefix", allow_empty=True),
        suffix=parse_ns_query(suffix, field="suffix", allow_empty=True),
        max_depth=max_depth, limit=limit, offset=offset)
    return NamespaceList(namespaces=[list(n) for n in found])
