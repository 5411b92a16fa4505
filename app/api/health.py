"""Liveness and readiness probes.

/readyz answers within READY_CHECK_TIMEOUT_SECONDS whatever the database does, and says
why it is not ready; /livez fails only when restarting the process may help (the
extraction worker cannot be restarted although the database answers).
"""

import asyncio
import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.api.deps import RuntimeDep
from app.db.migrate import pending_migrations
from app.runtime import Runtime

router = APIRouter(tags=["health"])


@router.get("/livez", summary="The process is up and can recover by itself",
            responses={503: {"description": "Broken beyond self-repair: restart it"}})
async def livez(runtime: RuntimeDep) -> JSONResponse:
    if problem := runtime.queue.worker_stuck():
        return JSONResponse({"detail": problem}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/readyz", summary="The database is reachable and fully migrated",
            responses={503: {"description": "Not ready; detail says why"}})
async def readyz(request: Request, runtime: RuntimeDep) -> JSONResponse:
    if request.app.state.draining:  # first, so load balancers stop sending work at once
        return JSONResponse({"detail": "shutting down: finishing running jobs",
                             "worker": "stopping"}, status_code=503)
    timeout = runtime.settings.ready_check_timeout_seconds
    if runtime.replica is None:
        return await _primary_ready(runtime, timeout)
    # Both at once, so /readyz still answers within the timeout. A replica that is down or
    # lagging is reported but leaves the service ready: reads fall back to the primary.
    answer, replica = await asyncio.gather(_primary_ready(runtime, timeout),
                                           runtime.replica.status(timeout))
    return JSONResponse({**json.loads(answer.body), "read_replica": replica},
                        status_code=answer.status_code)


async def _primary_ready(runtime: Runtime, timeout: float) -> JSONResponse:
    try:
        async with asyncio.timeout(timeout):
            async with runtime.pool.connection(timeout=timeout) as conn:
                pending = await pending_migrations(conn)
    except TimeoutError:
        return _not_ready(f"database unreachable: no answer within {timeout:g} s", runtime)
    except Exception as exc:  # any failure to reach the database means not ready
        return _not_ready(f"database unreachable: {exc}", runtime)
    if pending:
        return _not_ready(f"migrations not applied: {', '.join(pending)}; "
                          "run `memory-service migrate`", runtime)
    if problem := runtime.db_health.disk_problem() or runtime.queue.worker_problem():
        return _not_ready(problem, runtime)
    body = {"status": "ready", "worker": runtime.queue.worker_state()}
    if runtime.queue.worker_off:
        body["detail"] = runtime.queue.worker_off
    return JSONResponse(body)


def _not_ready(detail: str, runtime: Runtime) -> JSONResponse:
    return JSONResponse({"detail": detail, "worker": runtime.queue.worker_state()},
                        status_code=503)
