"""Typed dependencies the routers declare; the runtime lives on app.state."""

from typing import Annotated

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


# Async on purpose: FastAPI runs a plain `def` dependency in its thread pool, a thread
# hop per request (measured: a search waited on it while the embedder held the cores).
def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def get_runtime(request: Request) -> Runtime:
    return _runtime(request)


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_memory_service(request: Request) -> MemoryService:
    return _runtime(request).memories


async def get_history_service(request: Request) -> HistoryService:
    return _runtime(request).history


async def get_extraction_service(request: Request) -> ExtractionService:
    return _runtime(request).extraction


async def get_job_service(request: Request) -> JobService:
    return _runtime(request).jobs


async def get_tool_service(request: Request) -> ToolService:
    return _runtime(request).tools


async def get_run_service(request: Request) -> RunService:
    return _runtime(request).runs


async def get_profile_service(request: Request) -> ProfileService:
    return _runtime(request).profiles


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MemoryServiceDep = Annotated[MemoryService, Depends(get_memory_service)]
HistoryServiceDep = Annotated[HistoryService, Depends(get_history_service)]
ExtractionServiceDep = Annotated[ExtractionService, Depends(get_extraction_service)]
JobServiceDep = Annotated[JobService, Depends(get_job_service)]
ToolServiceDep = Annotated[ToolService, Depends(get_tool_service)]
RunServiceDep = Annotated[RunService, Depends(get_run_service)]
ProfileServiceDep = Annotated[ProfileService, Depends(get_profile_service)]
