"""v1 extraction: learn memories from a conversation, now or in the background."""

from typing import Any, TypeVar

from fastapi import APIRouter, status

from app.api.deps import ExtractionServiceDep, JobServiceDep
from app.auth.access import authorize_template
from app.auth.dependencies import PrincipalDep
from app.domain.history import Origin
from app.domain.principal import Principal
from app.extraction.schemas import ExtractionJobRequest, ExtractionRequest, ExtractionResult
from app.jobs.schemas import Job
from app.limits.idempotency import IDEMPOTENT

Request = TypeVar("Request", bound=ExtractionRequest)

router = APIRouter(prefix="/v1", tags=["extraction"])

NOT_CONFIGURED: dict[int | str, dict[str, Any]] = {
    503: {"description": "No LLM configured (LLM_MODEL), or EXTRACTION_MAX_CONCURRENCY "
                         "extractions running (with Retry-After)"},
    502: {"description": "The LLM call failed"}}


@router.post("/extract", response_model=ExtractionResult, responses=NOT_CONFIGURED,
             summary="Extract memories from a conversation now (one LLM call)",
             dependencies=[IDEMPOTENT])
async def extract(body: ExtractionRequest, extraction: ExtractionServiceDep,
                  principal: PrincipalDep) -> ExtractionResult:
    return await extraction.extract(bind(principal, body), origin=Origin("extraction"))


@router.post("/jobs/extract", status_code=status.HTTP_202_ACCEPTED, response_model=Job,
             responses=NOT_CONFIGURED,
             summary="Queue an extraction, debounced per thread", dependencies=[IDEMPOTENT])
async def submit_extraction(body: ExtractionJobRequest, jobs: JobServiceDep,
                            principal: PrincipalDep) -> Job:
    return Job.from_record(await jobs.submit(bind(principal, body)))


def bind(principal: Principal, body: Request) -> Request:
    """The key's identity fills {user_id}; the namespace must be one the key may write."""
    _, config = authorize_template(principal, body.namespace, body.config)
    return body.model_copy(update={"config": config})
