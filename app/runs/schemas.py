"""Bodies of the runs subset of LangGraph's API (as langgraph_sdk sends and reads them) and of
the v1 profiles API."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.extraction.schemas import ExtractionOptions, ExtractionResult

RunStatus = Literal["pending", "running", "error", "success", "timeout", "interrupted"]
MultitaskStrategy = Literal["reject", "interrupt", "rollback", "enqueue"]
ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
PROFILE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
DEFAULT_NAMESPACE = ["memories", "{user_id}"]

# What LangMem's RemoteReflectionExecutor.submit sends (runs.create on the thread).
EXECUTOR_RUN: dict[str, Any] = {
    "assistant_id": "memory",
    "input": {"messages": [{"role": "user", "content": "I adopted a dog named Fido."},
                           {"role": "assistant", "content": "Congratulations on Fido!"}]},
    "config": {"configurable": {"thread_id": "t1", "namespace": ["memories", "{user_id}"]}},
    "multitask_strategy": "rollback", "after_seconds": 30, "if_not_exists": "create",
    "stream_mode": "values", "stream_subgraphs": False, "stream_resumable": False,
}

_NOT_SERVED = "Not supported: extraction runs have no graph, checkpoints or interrupts; " \
    "a non-null value is refused with 422"
_NO_EFFECT = "Accepted for compatibility; no effect on an extraction run"


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [EXECUTOR_RUN]})

    assistant_id: str = Field(description="The extraction profile to run (GET /v1/profiles)",
                              examples=["memory"])
    input: dict[str, Any] | None = Field(None, description="{\"messages\": [...]}: OpenAI-style "
                                         "or LangChain message dicts")
    config: dict[str, Any] | None = Field(None, description="config.configurable.namespace: "
                                          "the namespace template (default: the profile's); "
                                          "its other scalar values fill {placeholders}")
    context: dict[str, Any] | None = Field(None, description="More template values")
    metadata: dict[str, Any] | None = Field(None, description="Kept with the run")
    multitask_strategy: MultitaskStrategy | None = Field(
        "enqueue", description="Toward the thread's unfinished runs into the same namespace: "
        "rollback and interrupt replace them (a running one's changes are discarded), enqueue "
        "runs after them, reject answers 409 while there are any")
    if_not_exists: Literal["create", "reject"] | None = Field(
        "reject", description="A thread that does not exist yet: create it, or answer 404")
    after_seconds: float | None = Field(0, ge=0, le=86_400, description="Start after this many "
                                        "seconds (a newer rollback run restarts the wait)")
    command: dict[str, Any] | None = Field(None, description=_NOT_SERVED)
    checkpoint: dict[str, Any] | None = Field(None, description=_NOT_SERVED)
    checkpoint_id: str | None = Field(None, description=_NOT_SERVED)
    interrupt_before: Any = Field(None, description=_NOT_SERVED)
    interrupt_after: Any = Field(None, description=_NOT_SERVED)
    webhook: str | None = Field(None, description="Not supported (refused with 422): poll "
                                "the run instead")
    stream_mode: Any = Field(None, description=_NO_EFFECT)
    stream_subgraphs: bool | None = Field(None, description=_NO_EFFECT)
    stream_resumable: bool | None = Field(None, description=_NO_EFFECT)
    on_completion: Literal["delete", "keep"] | None = Field(None, description=_NO_EFFECT)
    durability: str | None = Field(None, description=_NO_EFFECT)


class Run(BaseModel):
    """A run as langgraph_sdk's `Run` reads it, plus what the extraction did."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "run_id": "0f7c1f7e-3c47-4d5b-9d55-2a4a1f0e6c11", "thread_id": "t1",
        "assistant_id": "memory", "created_at": "2026-11-22T03:01:37Z",
        "updated_at": "2026-11-22T03:01:37Z", "status": "pending", "metadata": {},
        "multitask_strategy": "rollback", "cancel_reason": None,
        "namespace": ["memories", "alice"], "error": None, "result": None,
        "superseded_by": None}]})

    run_id: uuid.UUID = Field(description="The extraction job's id (also at /v1/jobs/{id})")
    thread_id: str
    assistant_id: str
    created_at: datetime
    updated_at: datetime
    status: RunStatus = Field(description="pending (queued), running, success, error, or "
                              "interrupted (cancelled or replaced by a newer run); never "
                              "timeout")
    metadata: dict[str, Any]
    multitask_strategy: MultitaskStrategy
    cancel_reason: str | None = Field(None, description="Why an interrupted run stopped")
    namespace: list[str] = Field(description="Where the run writes memories")
    error: str | None = Field(None, description="Why it failed, was cancelled, or is retried")
    result: ExtractionResult | None = Field(None, description="What it created, updated and "
                                            "deleted (status success)")
    superseded_by: uuid.UUID | None = Field(None, description="The newer run that replaced it")


class ThreadCreate(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [
        {"thread_id": "t1", "metadata": {"user_id": "alice"}, "if_exists": "do_nothing"}]})

    thread_id: str | None = Field(None, min_length=1, max_length=256,
                                  description="Default: a new UUID")
    metadata: dict[str, Any] | None = Field(None, description="Its scalar values fill namespace "
                                            "templates that a run's config leaves open")
    if_exists: Literal["raise", "do_nothing"] | None = Field(
        "raise", description="An existing thread: answer 409, or return it")
    supersteps: Any = Field(None, description="Not supported (refused with 422)")
    ttl: Any = Field(None, description="Not supported (refused with 422)")


class ThreadPatch(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [
        {"metadata": {"user_id": "alice"}}]})

    metadata: dict[str, Any] = Field(description="Merged into the thread's metadata")


class Thread(BaseModel):
    """A thread as langgraph_sdk's `Thread` reads it; extraction threads hold no state."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "thread_id": "t1", "created_at": "2026-11-22T03:01:37Z",
        "updated_at": "2026-11-22T03:01:37Z", "metadata": {"user_id": "alice"},
        "status": "idle", "values": None, "interrupts": {}}]})

    thread_id: str
    created_at: datetime
    updated_at: datetime
    metadata: dict[str, Any]
    status: ThreadStatus
    values: dict[str, Any] | None = None
    interrupts: dict[str, Any] = Field(default_factory=dict)


class ProfileWrite(ExtractionOptions):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "description": "Facts and a user profile",
        "namespace": ["memories", "{user_id}"],
        "instructions": "Remember the user's pets, family and plans.",
        "kinds": [{"name": "Memory", "schema": {
                       "type": "object", "properties": {"content": {"type": "string"}},
                       "required": ["content"]}},
                  {"name": "UserProfile", "single": True, "schema": {
                       "type": "object", "properties": {"name": {"type": "string"},
                                                        "city": {"type": "string"}}}}],
        "enable_inserts": True, "enable_updates": True, "enable_deletes": False,
    }]})

    description: str = Field("", max_length=2_000)
    namespace: list[str] = Field(default_factory=lambda: list(DEFAULT_NAMESPACE), min_length=1,
                                 description="Namespace template for runs whose "
                                 "config.configurable has no namespace",
                                 examples=[DEFAULT_NAMESPACE])


class ProfileCreate(ProfileWrite):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "episodes", "description": "What happened, one episode per memory",
        "namespace": ["episodes", "{user_id}"],
        "instructions": "Record notable events with their date.",
    }]})

    name: str = Field(pattern=PROFILE_NAME, description="What a run's assistant_id names",
                      examples=["episodes"])


class Profile(ProfileCreate):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "memory", "description": "The default profile: text facts (kind Memory), "
        "inserts, updates and deletes", "namespace": ["memories", "{user_id}"],
        "instructions": None, "kinds": None, "enable_inserts": True, "enable_updates": True,
        "enable_deletes": True, "default": True, "created_at": "2026-11-22T03:01:37Z",
        "updated_at": "2026-11-22T03:01:37Z"}]})

    default: bool = Field(description="The default profile: it can be replaced, not deleted")
    created_at: datetime
    updated_at: datetime


class ProfileList(BaseModel):
    profiles: list[Profile]
