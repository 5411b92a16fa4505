"""v1 "as of": a namespace or one memory as it stood at a time, and what changed in a
namespace between two times, read from the change history."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import HistoryServiceDep
from app.auth.dependencies import PrincipalDep
from app.domain.as_of import check_window
from app.domain.time_range import FORMAT, parse_instant
from app.errors import InvalidInput
from app.history.as_of_schemas import AsOfPage, ChangesPage, MemoryAsOf, NetChangeOut
from app.memories.query_namespace import parse_ns_query

router = APIRouter(prefix="/v1", tags=["history"])

TIME_DOC = f"{FORMAT[0].upper()}{FORMAT[1:]} (a date is its start, a time without offset is UTC)"
PrefixQuery = Annotated[str | None, Query(
    description="This namespace and those below it (dotted); omitted, all this key may read",
    examples=["memories.alice"])]


def instant(field: str, text: str) -> datetime:
    moment = parse_instant(field, text)
    if moment is None:  # an empty value
        raise InvalidInput(f"{field} must be {FORMAT}; got {text!r}")
    return moment


@router.get("/as-of", response_model=AsOfPage,
            summary="Memories under a namespace as they stood at a time")
async def namespace_as_of(
        history: HistoryServiceDep, principal: PrincipalDep,
        at: Annotated[str, Query(max_length=64, description=TIME_DOC,
                                 examples=["2026-05-01T09:30:00Z"])],
        namespace: PrefixQuery = None,
        limit: Annotated[int, Query(ge=1)] = 20,
        offset: Annotated[int, Query(ge=0)] = 0) -> AsOfPage:
    moment = instant("at", at)
    scope = principal.scope(parse_ns_query(namespace, allow_empty=True))
    found = [] if scope is None else await history.as_of.namespace(
        scope, moment, limit=limit, offset=offset)
    return AsOfPage(at=moment, items=[MemoryAsOf.of(i) for i in found], limit=limit,
                    offset=offset)


@router.get("/as-of/{key:path}", response_model=MemoryAsOf,
            summary="One memory as it stood at a time",
            responses={404: {"description": "It did not exist at that time"}})
async def memory_as_of(
        key: str, history: HistoryServiceDep, principal: PrincipalDep,
        namespace: Annotated[str, Query(description="The memory's namespace (dotted)",
                                        examples=["memories.alice"])],
        at: Annotated[str, Query(max_length=64, description=TIME_DOC)]) -> MemoryAsOf:
    moment = instant("at", at)
    ns = principal.require_read(parse_ns_query(namespace))
    return MemoryAsOf.of(await history.as_of.item(ns, key, moment))


@router.get("/changes", response_model=ChangesPage,
            summary="What changed under a namespace between two times, net per memory")
async def changes(
        history: HistoryServiceDep, principal: PrincipalDep,
        since: Annotated[str, Query(max_length=64, description=TIME_DOC + "; changes after "
                                    "it count", examples=["2026-05-01"])],
        until: Annotated[str | None, Query(max_length=64, description=TIME_DOC + "; changes "
                                           "at or before it count; omitted, now")] = None,
        namespace: PrefixQuery = None,
        limit: Annotated[int, Query(ge=1)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0) -> ChangesPage:
    start = instant("since", since)
    end = check_window(start, parse_instant("until", until) or datetime.now(UTC))
    scope = principal.scope(parse_ns_query(namespace, allow_empty=True))
    found = [] if scope is None else await history.as_of.changes(
        scope, start, end, limit=limit, offset=offset)
    return ChangesPage(since=start, until=end, changes=[NetChangeOut.of(c) for c in found],
                       limit=limit, offset=offset)
