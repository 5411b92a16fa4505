"""Typed dependencies the routers declare; the runtime lives on app.state."""

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.extraction.service import ExtractionService
from app.history.service import HistoryService
from app.jobs.service import JobService
from app.memories.service import MemoryService
from app.runtime import Runtime


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


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MemoryServiceDep = Annotated[MemoryService, Depends(get_memory_service)]
HistoryServiceDep = Annotated[HistoryService, Depends(get_history_service)]
ExtractionServiceDep = Annotated[ExtractionService, Depends(get_extraction_service)]
JobServiceDep = Annotated[JobService, Depends(get_job_service)]
