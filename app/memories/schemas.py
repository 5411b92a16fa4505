"""Request and response bodies of the v1 memories API."""

from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.domain.items import ExpiringView, StoredItem
from app.domain.time_range import Order, Sort
from app.memories.keys import MAX_KEY_LENGTH
from app.memories.query_namespace import refuse_slashes
from app.memories.readable import readable
from app.memories.values import DEFAULT_KIND, MAX_TTL_MINUTES
from app.search.config import SearchMode
from app.store.text import check_occurred_at

NamespaceField = Annotated[
    list[str],
    Field(description="Namespace labels, outermost first; no label may contain '.'",
          examples=[["memories", "alice"]]),
]
Content = Annotated[
    str | dict[str, Any],
    Field(description="Text for a plain memory, or an object for a structured kind",
          examples=["User prefers dark mode"]),
]
Ttl = Annotated[
    float | None,
    # The lower bound (MIN_TTL_MINUTES) is the service's, so that its 422 names it.
    Field(gt=0, le=MAX_TTL_MINUTES, description="Minutes until the memory "
          "expires (refreshed when read), from 1 second (0.0166667) to 1000 years; null keeps it "
          "forever", examples=[None]),
]


class MemoryWrite(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"content": "User prefers light mode"},
        {"kind": "UserProfile", "content": {"name": "Alice"}, "ttl": 1440}]})

    kind: str = Field(DEFAULT_KIND, min_length=1, max_length=200,
                      description="Memory kind, e.g. Memory or UserProfile")
    content: Content
    ttl: Ttl = None
    index: bool = Field(True, description="false keeps the memory out of search")
    occurred_at: Annotated[str | None, AfterValidator(check_occurred_at)] = Field(
        None, max_length=64, description="When what the memory describes happened (ISO 8601 "
        "date or date-time); stored in the value and searched with the text, so \"what did "
        "Ana do in May 2023?\" finds it", examples=["2023-05-13"])


class MemoryCreate(MemoryWrite):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"namespace": ["memories", "alice"], "content": "User prefers dark mode"},
        {"namespace": ["memories", "alice"], "key": "profile", "kind": "UserProfile",
         "content": {"name": "Alice", "timezone": "Europe/Lisbon"}},
    ]})

    namespace: Annotated[NamespaceField, AfterValidator(refuse_slashes)]
    key: str | None = Field(None, min_length=1, max_length=MAX_KEY_LENGTH,
                            description="Your key; omitted, the server makes a UUID")


class MemoryBatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[MemoryCreate] = Field(min_length=1)


def _value_example(schema: dict[str, Any]) -> None:
    schema["properties"]["value"]["examples"] = [
        {"kind": "Memory", "content": {"content": "User prefers dark mode"}}]


class Memory(ExpiringView):
    """A LangGraph store item whose value follows LangMem: {"kind", "content"}."""

    # The fields are ExpiringView's (app/domain/items.py); only the example is the door's.
    model_config = ConfigDict(json_schema_extra=_value_example)

    @classmethod
    def from_stored(cls, item: StoredItem, value: dict[str, Any]) -> Self:
        return cls.of(item, value=readable(value))


class ScoredMemory(Memory):
    score: float | None = Field(None, description="Higher is better; what it is depends on "
                                "the mode: semantic: cosine similarity to the query (at most "
                                "1); keyword: BM25 (0 and up, comparable within one search); "
                                "hybrid: HYBRID_KEYWORD_WEIGHT x the share of the query's "
                                "idf the memory holds + HYBRID_SEMANTIC_WEIGHT x the cosine, "
                                "+ 0.2 when the query names the month (\"May 2023\") the "
                                "memory's occurred_at falls in. "
                                "null when the search has no query")


class MemoryPage(BaseModel):
    items: list[Memory]
    limit: int
    offset: int


TIME_BOUND_DOC = ("ISO 8601 date or date-time (a date is its start, a time without offset "
                  "is UTC); *_after keeps items at or after it, *_before items before it")


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"query": "what theme does the user like?", "namespace_prefix": ["memories", "alice"],
         "limit": 5},
        {"query": "Priya Lisbon trip May", "namespace_prefix": ["memories", "alice"],
         "mode": "keyword"},
        {"namespace_prefix": ["memories"], "filter": {"kind": "Memory"}, "limit": 20,
         "offset": 20},
    ]})

    query: str | None = Field(None, max_length=8192, description="Natural-language query; "
                              "omitted, items are listed newest first")
    namespace_prefix: list[str] = Field(default_factory=list,
                                        description="Search this namespace and below")
    filter: dict[str, Any] | None = Field(None, description="Match value fields: "
                                          "{\"kind\": \"Memory\"}; a v1 memory's fields are "
                                          "under content: "
                                          "{\"content\": {\"price\": {\"$gt\": 4.99}}}; "
                                          "operators $eq $ne $gt $gte $lt $lte")
    limit: int = Field(10, ge=1)
    offset: int = Field(0, ge=0)
    mode: SearchMode | None = Field(None, description="hybrid (words and meaning fused), "
                             "semantic (meaning: vectors) or keyword (BM25 on the words); "
                             "omitted, the server's SEARCH_DEFAULT_MODE. Applies when there "
                             "is a query", examples=["hybrid"])
    created_after: str | None = Field(None, max_length=64, description=TIME_BOUND_DOC,
                                      examples=["2024-05-01"])
    created_before: str | None = Field(None, max_length=64, description=TIME_BOUND_DOC)
    updated_after: str | None = Field(None, max_length=64, description=TIME_BOUND_DOC)
    updated_before: str | None = Field(None, max_length=64, description=TIME_BOUND_DOC)
    sort: Sort | None = Field(None, description="A listing's order (no query only): by "
                              "created or updated time; omitted, updated")
    order: Order | None = Field(None, description="desc (newest first, the default) or asc; "
                                "no query only")


class SearchResults(BaseModel):
    items: list[ScoredMemory]


class NamespaceList(BaseModel):
    namespaces: list[list[str]]
