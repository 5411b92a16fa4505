"""Bodies of the extraction API."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

KIND_NAME = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"


class KindSpec(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    name: str = Field(pattern=KIND_NAME, examples=["UserProfile"])
    description: str = ""
    json_schema: dict[str, Any] = Field(alias="schema", description="JSON Schema of the content",
                                        examples=[{"type": "object", "properties": {
                                            "name": {"type": "string"},
                                            "timezone": {"type": "string"}}}])
    single: bool = Field(False, description="Keep one item of this kind per namespace, "
                         "updated in place (a profile)")


class ExtractionOptions(BaseModel):
    """What to remember and which operations are allowed: a request's and a profile's
    (app/runs/schemas.py) alike."""

    instructions: str | None = Field(None, max_length=20_000,
                                     description="Extra guidance for what to remember")
    kinds: list[KindSpec] | None = Field(None, description="Memory kinds as JSON Schemas; "
                                         "default: Memory (one text fact per item)")
    enable_inserts: bool = True
    enable_updates: bool = True
    enable_deletes: bool = True


class ExtractionRequest(ExtractionOptions):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "messages": [{"role": "user", "content": "I like dogs. My dog's name is Fido."},
                     {"role": "assistant", "content": "Fido is a great name!"}],
        "namespace": ["memories", "{user_id}"],
        "config": {"user_id": "alice"},
    }]})

    messages: list[dict[str, Any]] = Field(min_length=1, description="OpenAI-style "
                                           "{role, content} messages (LangChain dicts work too)")
    namespace: list[str] = Field(description="Where memories live; {placeholders} are filled "
                                 "from config", examples=[["memories", "{user_id}"]])
    config: dict[str, str] = Field(default_factory=dict, description="Template values",
                                   examples=[{"user_id": "alice"}])


class ExtractionJobRequest(ExtractionRequest):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "messages": [{"role": "user", "content": "I moved to Lisbon last week."}],
        "namespace": ["memories", "{user_id}"], "config": {"user_id": "alice"},
        "thread_id": "thread-42", "after_seconds": 30,
    }]})

    thread_id: str = Field(min_length=1, max_length=256, description="A newer submission for "
                           "the same thread and namespace replaces a job that has not started")
    after_seconds: float = Field(0, ge=0, le=86_400, description="Run once the thread has been "
                                 "quiet this long")


class MemoryChange(BaseModel):
    namespace: list[str]
    key: str
    value: dict[str, Any] | None = None


class Usage(BaseModel):
    llm_calls: int = Field(0, description="Requests to the model, the repair call included")
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, call: Any) -> None:
        self.llm_calls += call.calls
        self.prompt_tokens += call.prompt_tokens
        self.completion_tokens += call.completion_tokens


Outcome = Literal["stored", "nothing_to_remember", "rejected", "partially_rejected"]


class ExtractionResult(BaseModel):
    outcome: Outcome = Field("stored", description="stored: what the model proposed is stored "
                             "(an insert identical to a stored memory counts); "
                             "nothing_to_remember: it proposed nothing; rejected: every "
                             "operation failed validation, even after the repair call, and "
                             "nothing changed; partially_rejected: some were stored, some not")
    namespace: list[str]
    created: list[MemoryChange]
    updated: list[MemoryChange]
    deleted: list[MemoryChange]
    duplicates: int = Field(description="Inserts skipped because an identical memory exists")
    rejected: list[dict[str, Any]] = Field(description="Operations the model proposed that "
                                           "failed validation, each {operation, reason}")
    repaired: int = Field(0, description="Rejected operations the repair call fixed")
    candidates: int = Field(description="Existing memories shown to the model")
    usage: Usage
