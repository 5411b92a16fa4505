"""Liveness and readiness probes."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.api.deps import RuntimeDep
from app.db.migrate import pending_migrations

router = APIRouter(tags=["health"])


@router.get("/livez", summary="The process is up")
async def livez() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database is reachable and fully migrated",
            responses={503: {"description": "Not ready; detail says why"}})
async def readyz(request: Request, runtime: RuntimeDep) -> JSONResponse:
    if request.app.state.draining:  # first, so load balancers stop sending work at once
        return JSONResponse({"detail": "shutting down: finishing running jobs"},
                            status_code=503)
    try:
        async with runtime.pool.connection(timeout=5) as conn:
            pending = await pending_migrations(conn)
    except Exception as exc:  # any failure to reach the database means not ready
        return JSONResponse({"detail": f"database unreachable: {exc}"}, status_code=503)
    if pending:
        return JSONResponse({"detail": f"migrations not applied: {', '.join(pending)}; "
                             "run `memory-service migrate`"}, status_code=503)
    if problem := runtime.queue.worker_problem():
        return JSONResponse({"detail": problem}, status_code=503)
    return JSONResponse({"status": "ready"})
