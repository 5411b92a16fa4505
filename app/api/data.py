"""v1 data ownership: forget a prefix, export and import JSON Lines, stats."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.api.deps import RuntimeDep
from app.auth.dependencies import PrincipalDep
from app.domain.principal import Principal
from app.lifecycle.schemas import (
    ForgetCounts,
    ForgetRequest,
    ForgetResult,
    ImportResult,
    NamespaceCount,
    NamespaceCounts,
    Stats,
)
from app.memories.query_namespace import parse_ns_query

router = APIRouter(prefix="/v1", tags=["data"])

PrefixQuery = Annotated[str | None, Query(description="Namespace prefix, dotted",
                                          examples=["memories.alice"])]


@router.post("/forget", response_model=ForgetResult,
             summary="Erase everything under a namespace prefix (items, vectors, history, jobs)")
async def forget(body: ForgetRequest, runtime: RuntimeDep,
                 principal: PrincipalDep) -> ForgetResult:
    # write on the WHOLE prefix: a key for memories.alice cannot erase all of memories
    counts = await runtime.forget.forget(principal.require_write(body.namespace_prefix),
                                         dry_run=body.dry_run)
    return ForgetResult(dry_run=body.dry_run, removed=ForgetCounts(**counts))


@router.get("/export", summary="Stream a prefix as JSON Lines, one memory a line",
            response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}}}})
async def export(runtime: RuntimeDep, principal: PrincipalDep,
                 prefix: PrefixQuery = None) -> StreamingResponse:
    scope = readable_scope(principal, prefix)
    lines = runtime.transfer.export(scope) if scope is not None else _nothing()
    return StreamingResponse(lines, media_type="application/x-ndjson")


@router.post("/import", response_model=ImportResult,
             summary="Upsert JSON Lines (our export, or a plain LangGraph store's rows)",
             openapi_extra={"requestBody": {"content": {"application/x-ndjson": {
                 "schema": {"type": "string"},
                 "example": '{"namespace": ["memories", "alice"], "key": "k1", '
                            '"value": {"kind": "Memory", "content": {"content": "hi"}}}\n'}}}})
async def import_lines(request: Request, runtime: RuntimeDep,
                       principal: PrincipalDep) -> ImportResult:
    report = await runtime.transfer.import_lines(
        _lines(request), may_write=principal.require_write,
        max_value_depth=runtime.settings.max_value_depth)
    return ImportResult(**vars(report))


@router.get("/stats", response_model=Stats, summary="What is stored under a prefix")
async def stats(runtime: RuntimeDep, principal: PrincipalDep,
                prefix: PrefixQuery = None) -> Stats:
    scope = readable_scope(principal, prefix)
    if scope is None:  # nothing under it is readable: nothing to count
        return Stats(memories=0, namespaces=0, bytes=0, vectors=0, last_write=None, jobs={})
    return Stats(**await runtime.stats.stats(scope))


@router.get("/stats/namespaces", response_model=NamespaceCounts,
            summary="Every namespace under a prefix with its memory count (one call for a tree)")
async def namespace_counts(runtime: RuntimeDep, principal: PrincipalDep,
                           prefix: PrefixQuery = None,
                           limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
                           offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
                           ) -> NamespaceCounts:
    scope = readable_scope(principal, prefix)
    found = await runtime.stats.per_namespace(scope, limit=limit, offset=offset) \
        if scope is not None else []
    return NamespaceCounts(namespaces=[NamespaceCount(namespace=list(ns), memories=n)
                                       for ns, n in found])


def readable_scope(principal: Principal, prefix: str | None) -> tuple[str, ...] | None:
    return principal.scope(parse_ns_query(prefix, field="prefix", allow_empty=True))


async def _nothing() -> AsyncIterator[str]:
    return
    yield


async def _lines(request: Request) -> AsyncIterator[bytes]:
    """The body's lines as they arrive, without holding the whole upload in memory; bytes,
    so a line that is not UTF-8 is rejected by number rather than silently repaired."""
    pending = b""
    async for chunk in request.stream():
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line
    if pending:
        yield pending
