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


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_memory_service(request: Request) -> MemoryService:
    return get_runtime(request).memories


def get_history_service(request: Request) -> HistoryService:
    return get_runtime(request).history


def get_extraction_service(request: Request) -> ExtractionService:
    return get_runtime(request).extraction


def get_job_service(request: Request) -> JobService:
    return get_runtime(request).jobs


def get_tool_service(request: Request) -> ToolService:
    return get_runtime(request).tools


def get_run_service(request: Request) -> RunService:
    return get_runtime(request).runs


def get_profile_service(request: Request) -> ProfileService:
    return get_runtime(request).profiles


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MemoryServiceDep = Annotated[MemoryService, Depends(get_memory_service)]
HistoryServiceDep = Annotated[HistoryService, Depends(get_history_service)]
ExtractionServiceDep = Annotated[ExtractionService, Depends(get_extraction_service)]
JobServiceDep = Annotated[JobService, Depends(get_job_service)]
ToolServiceDep = Annotated[ToolService, Depends(get_tool_service)]
RunServiceDep = Annotated[RunService, Depends(get_run_service)]
ProfileServiceDep = Annotated[ProfileService, Depends(get_profile_service)]
