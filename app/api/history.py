"""v1 history: every change to a memory, and restoring a version."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from app.api.deps import HistoryServiceDep
from app.api.memories import NamespaceQuery, to_memory
from app.auth.dependencies import PrincipalDep
from app.domain.principal import Principal
from app.errors import NotFound
from app.history.schemas import ChangeOut, HistoryPage
from app.history.service import HistoryService
from app.memories.query_namespace import parse_ns_query
from app.memories.schemas import Memory

router = APIRouter(prefix="/v1/history", tags=["history"])


@router.get("", response_model=HistoryPage, summary="A memory's changes, newest first")
async def item_history(namespace: NamespaceQuery, key: Annotated[str, Query(min_length=1)],
                       history: HistoryServiceDep, principal: PrincipalDep,
                       limit: Annotated[int, Query(ge=1)] = 50,
                       offset: Annotated[int, Query(ge=0)] = 0) -> HistoryPage:
    changes = await history.for_item(principal.require_read(parse_ns_query(namespace)), key,
                                     limit=limit, offset=offset)
    return HistoryPage(changes=[ChangeOut.from_change(c) for c in changes])


NO_CHANGE: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such change (or not readable with this key)"}}
# Change ids are Postgres bigints: a larger number could never name one.
ChangeId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/{change_id}", response_model=ChangeOut, summary="One change",
            responses=NO_CHANGE)
async def get_change(change_id: ChangeId, history: HistoryServiceDep,
                     principal: PrincipalDep) -> ChangeOut:
    return ChangeOut.from_change(await readable_change(history, principal, change_id))


@router.post("/{change_id}/restore", response_model=Memory, responses=NO_CHANGE,
             summary="Restore the memory as it was after this change (before it, for a delete)")
async def restore(change_id: ChangeId, history: HistoryServiceDep,
                  principal: PrincipalDep) -> Memory:
    principal.require_write((await readable_change(history, principal, change_id)).namespace)
    return to_memory(await history.restore(change_id))


async def readable_change(history: HistoryService, principal: Principal, change_id: int):
    """A change outside the key's grants answers as one that does not exist."""
    change = await history.get_change(change_id)
    if not principal.can_read(change.namespace):
        raise NotFound(f"no change with id {change_id}")
    return change
