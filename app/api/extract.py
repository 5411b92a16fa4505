"""v1 extraction: learn memories from a conversation, now or in the background."""

from fastapi import APIRouter, status

from app.api.deps import ExtractionServiceDep, JobServiceDep
from app.extraction.schemas import ExtractionJobRequest, ExtractionRequest, ExtractionResult
from app.jobs.schemas import Job
from app.repositories.history import Origin

router = APIRouter(prefix="/v1", tags=["extraction"])

NOT_CONFIGURED = {503: {"description": "No LLM configured (LLM_MODEL)"},
                  502: {"description": "The LLM call failed"}}


@router.post("/extract", response_model=ExtractionResult, responses=NOT_CONFIGURED,
             summary="Extract memories from a conversation now (one LLM call)")
async def extract(body: ExtractionRequest, extraction: ExtractionServiceDep) -> ExtractionResult:
    return await extraction.extract(body, origin=Origin("extraction"))


@router.post("/jobs/extract", status_code=status.HTTP_202_ACCEPTED, response_model=Job,
             responses=NOT_CONFIGURED,
             summary="Queue an extraction, debounced per thread")
async def submit_extraction(body: ExtractionJobRequest, jobs: JobServiceDep) -> Job:
    return Job.from_record(await jobs.submit(body))
