"""The part of LangGraph's runs API that LangMem's remote ReflectionExecutor (and
langgraph_sdk's client.runs) uses, over extraction jobs; the rest of that API answers 404."""

import uuid
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse

from app.api.deps import RunServiceDep
from app.auth.dependencies import PrincipalDep
from app.runs.schemas import Run, RunCreate, RunStatus, Thread, ThreadCreate, ThreadPatch
from app.runs.service import JOIN_TIMEOUT_SECONDS

router = APIRouter(tags=["runs (LangGraph API)"])

CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown assistant_id (the known profiles are listed), or a thread "
          "this key does not have and if_not_exists is not \"create\""},
    409: {"description": "multitask_strategy \"reject\" while the thread has an unfinished run"},
    422: {"description": "Bad input, an unfillable namespace template, or an unsupported "
          "option (command, checkpoint, interrupts, webhook)"},
    503: {"description": "No LLM configured (LLM_MODEL)"},
}


NO_THREAD: dict[int | str, dict[str, Any]] = {
    404: {"description": "This API key has no thread of that id (thread ids are per key: "
                         "another key's is another thread)"}}
NO_RUN: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such thread of this key, or no such run on it"}}


def _created(run: Run, response: Response) -> Run:
    response.headers["Content-Location"] = \
        f"/threads/{quote(run.thread_id, safe='')}/runs/{run.run_id}"
    return run


@router.post("/threads/{thread_id}/runs", response_model=Run, responses=CREATE_RESPONSES,
             summary="Create a background extraction run on a thread",
             description="What `client.runs.create(thread_id, assistant_id, ...)` and LangMem's "
             "`ReflectionExecutor(..., url=...).submit(...)` send. The run is an extraction "
             "job with the profile named by `assistant_id`, the conversation in "
             "`input.messages`, the namespace template in `config.configurable.namespace` "
             "(default: the profile's), its placeholders filled from the other configurable "
             "values, `context` and the thread's metadata. `multitask_strategy` acts on the "
             "thread's unfinished runs into the same namespace: `rollback` and `interrupt` "
             "replace them (a running one's changes are discarded: the debounce), `enqueue` "
             "(default) runs after them, `reject` answers 409.")
async def create_run(thread_id: str, body: RunCreate, runs: RunServiceDep,
                     principal: PrincipalDep, response: Response) -> Run:
    return _created(await runs.create(thread_id, body, principal), response)


@router.post("/runs", response_model=Run, responses=CREATE_RESPONSES,
             summary="Create a stateless background extraction run (on a new thread)")
async def create_stateless_run(body: RunCreate, runs: RunServiceDep, principal: PrincipalDep,
                               response: Response) -> Run:
    return _created(await runs.create(None, body, principal), response)


@router.get("/threads/{thread_id}/runs", response_model=list[Run], responses=NO_THREAD,
            summary="List a thread's runs, newest first")
async def list_runs(thread_id: str, runs: RunServiceDep, principal: PrincipalDep,
                    limit: Annotated[int, Query(ge=1)] = 10,
                    offset: Annotated[int, Query(ge=0)] = 0,
                    status: RunStatus | None = None) -> list[Run]:
    return await runs.list(thread_id, principal, status=status, limit=limit, offset=offset)


@router.get("/threads/{thread_id}/runs/{run_id}", response_model=Run, summary="Read a run",
            responses=NO_RUN)
async def get_run(thread_id: str, run_id: uuid.UUID, runs: RunServiceDep,
                  principal: PrincipalDep) -> Run:
    return await runs.get(thread_id, run_id, principal)


@router.post("/threads/{thread_id}/runs/{run_id}/cancel", response_model=Run,
             status_code=status.HTTP_202_ACCEPTED,
             summary="Cancel a pending or running run (its changes are discarded)",
             description="`action` interrupt and rollback are the same here: an extraction "
             "commits all or nothing, so there is no partial progress to keep. The run is "
             "final when this answers, so `wait=1` (200) only changes the status code.",
             responses={**NO_RUN, 409: {"description": "The run already finished"}})
async def cancel_run(thread_id: str, run_id: uuid.UUID, runs: RunServiceDep,
                     principal: PrincipalDep, response: Response,
                     wait: bool = False,
                     action: Literal["interrupt", "rollback"] = "interrupt") -> Run:
    cancelled = await runs.cancel(thread_id, run_id, principal)
    if wait:
        response.status_code = status.HTTP_200_OK
    return cancelled


@router.get("/threads/{thread_id}/runs/{run_id}/join", response_model=dict[str, Any],
            summary="Wait for a run to finish; its extraction result",
            responses={**NO_RUN, 409: {"description": "Still unfinished after "
                                       f"{JOIN_TIMEOUT_SECONDS:.0f} s; join again"}},
            description="Success: the extraction result (created, updated, deleted...). "
            "Error or interrupted: `{\"__error__\": {\"error\": status, \"message\": ...}}`.")
async def join_run(thread_id: str, run_id: uuid.UUID, runs: RunServiceDep,
                   principal: PrincipalDep) -> dict[str, Any]:
    return await runs.join(thread_id, run_id, principal)


@router.post("/threads", response_model=Thread, summary="Create a thread (with metadata that "
             "fills namespace templates, e.g. user_id)",
             description="Thread ids are per API key: another key's thread of the same id is "
             "another thread, and this creates the caller's own.",
             responses={409: {"description": "This key's thread exists (if_exists "
                              "\"raise\")"}})
async def create_thread(body: ThreadCreate, runs: RunServiceDep,
                        principal: PrincipalDep) -> Thread:
    return await runs.create_thread(body, principal)


@router.get("/threads/{thread_id}", response_model=Thread, summary="Read a thread",
            responses=NO_THREAD)
async def get_thread(thread_id: str, runs: RunServiceDep, principal: PrincipalDep) -> Thread:
    return await runs.get_thread(thread_id, principal)


@router.patch("/threads/{thread_id}", response_model=Thread, responses=NO_THREAD,
              summary="Merge metadata into a thread")
async def update_thread(thread_id: str, body: ThreadPatch, runs: RunServiceDep,
                        principal: PrincipalDep) -> Thread:
    return await runs.update_thread(thread_id, body.metadata, principal)


# -- the rest of LangGraph's API: 404 with what is served ----------------------------------

SERVED = ("POST /threads/{thread_id}/runs", "POST /runs", "GET /threads/{thread_id}/runs",
          "GET /threads/{thread_id}/runs/{run_id}",
          "POST /threads/{thread_id}/runs/{run_id}/cancel",
          "GET /threads/{thread_id}/runs/{run_id}/join", "POST /threads",
          "GET /threads/{thread_id}", "PATCH /threads/{thread_id}")
NOT_SERVED_MESSAGE = (
    "is not served: memory-service implements only the subset of LangGraph's runs API that "
    "background memory extraction needs (LangMem's remote ReflectionExecutor and "
    "client.runs): " + ", ".join(SERVED) + ". Assistants are extraction profiles "
    "(/v1/profiles); memories are under /store and /v1. See /docs.")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

unsupported_router = APIRouter()


async def not_served(request: Request) -> JSONResponse:
    return JSONResponse({"detail": f"{request.method} {request.url.path} {NOT_SERVED_MESSAGE}"},
                        status_code=status.HTTP_404_NOT_FOUND)


for _prefix in ("/assistants", "/threads", "/runs", "/crons"):
    unsupported_router.add_api_route(_prefix, not_served, methods=METHODS,
                                     include_in_schema=False)
    unsupported_router.add_api_route(_prefix + "/{rest:path}", not_served, methods=METHODS,
                                     include_in_schema=False)
unsupported_router.add_api_route("/info", not_served, methods=METHODS, include_in_schema=False)
