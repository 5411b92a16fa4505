"""Bodies of LangGraph's store API, as langgraph_sdk sends and reads them."""

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from app.domain.items import ItemView, StoredItem
from app.memories.keys import MAX_KEY_LENGTH
from app.memories.readable import readable
from app.memories.values import MAX_TTL_MINUTES


class StorePut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"namespace": ["memories", "alice"], "key": "dark-mode",
         "value": {"content": "User prefers dark mode"}}]})

    namespace: list[str]
    key: str = Field(min_length=1, max_length=MAX_KEY_LENGTH)
    value: dict[str, Any]
    index: bool | list[str] | None = Field(
        None, description="false: not searchable; a list of field paths: embed those fields")
    ttl: float | None = Field(None, gt=0, le=MAX_TTL_MINUTES,
                              description="Minutes until the item expires (at most 1000 years)")


class StoreDelete(BaseModel):
    namespace: list[str]
    key: str


class StoreSearch(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"namespace_prefix": ["memories"], "query": "theme preferences", "limit": 5}]})

    namespace_prefix: list[str] = Field(default_factory=list)
    filter: dict[str, Any] | None = None
    limit: int = 10
    offset: int = 0
    query: str | None = None
    refresh_ttl: bool | None = None


class StoreListNamespaces(BaseModel):
    prefix: list[str] | None = None
    suffix: list[str] | None = None
    max_depth: int | None = None
    limit: int = 100
    offset: int = 0


class StoreItem(ItemView):  # LangGraph's Item: the fields every door shows (no docstring:
    # it would change the OpenAPI schema)

    @classmethod
    def from_stored(cls, item: StoredItem) -> Self:
        return cls.of(item, value=readable(item.value))


class StoreSearchItem(StoreItem):
    score: float | None = None  # StoredItem's, filled by `of`


class StoreSearchResponse(BaseModel):
    items: list[StoreSearchItem]


class StoreNamespacesResponse(BaseModel):
    namespaces: list[list[str]]
