"""Typed dependencies the routers declare; the runtime lives on app.state."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from app.config import Settings
from app.extraction.service import ExtractionService
from app.history.service import HistoryService
from app.jobs.service import JobService
from app.memories.service import MemoryService
from app.runs.profiles import ProfileService
from app.runs.service import RunService
from app.runtime import Runtime
from app.tools.service import ToolService


def _from_runtime(attribute: str | None) -> Callable[[Request], Awaitable[Any]]:
    """The runtime, or one of its services. Async on purpose: FastAPI runs a plain `def`
    dependency in its thread pool, a thread hop per request (GET /v1/tools p50 1.9 ms with
    them, 1.2 ms without)."""

    async def dependency(request: Request) -> Any:
        runtime = request.app.state.runtime
        return runtime if attribute is None else getattr(runtime, attribute)

    return dependency


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


RuntimeDep = Annotated[Runtime, Depends(_from_runtime(None))]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MemoryServiceDep = Annotated[MemoryService, Depends(_from_runtime("memories"))]
HistoryServiceDep = Annotated[HistoryService, Depends(_from_runtime("history"))]
ExtractionServiceDep = Annotated[ExtractionService, Depends(_from_runtime("extraction"))]
JobServiceDep = Annotated[JobService, Depends(_from_runtime("jobs"))]
ToolServiceDep = Annotated[ToolService, Depends(_from_runtime("tools"))]
RunServiceDep = Annotated[RunService, Depends(_from_runtime("runs"))]
ProfileServiceDep = Annotated[ProfileService, Depends(_from_runtime("profiles"))]
