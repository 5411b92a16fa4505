"""Search settings in one object, so every door, and MemoryStore used in process, searches
alike. Defaults are read from app.config.Settings' own defaults: they are decided there
once (measured with bench/retrieval_eval and bench/conversation_eval)."""

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from app.config import Settings
from app.errors import InvalidInput
from app.repositories.keyword_search import Bm25

SearchMode = Literal["hybrid", "semantic", "keyword"]
MODES: tuple[str, ...] = get_args(SearchMode)


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class SearchConfig:
    default_mode: SearchMode = _default("search_default_mode")
    language: str = _default("text_search_language")
    keyword_weight: float = _default("hybrid_keyword_weight")
    semantic_weight: float = _default("hybrid_semantic_weight")
    candidates: int = _default("hybrid_candidates")
    bm25: Bm25 = field(default_factory=lambda: Bm25(_default("bm25_k1"), _default("bm25_b")))

    @classmethod
    def from_settings(cls, settings: Settings) -> "SearchConfig":
        return cls(
            default_mode=settings.search_default_mode,
            language=settings.text_search_language,
            keyword_weight=settings.hybrid_keyword_weight,
            semantic_weight=settings.hybrid_semantic_weight,
            candidates=settings.hybrid_candidates,
            bm25=Bm25(settings.bm25_k1, settings.bm25_b),
        )


@dataclass(frozen=True)
class SearchTuning:
    """How vector search reads the index (EXACT_SEARCH_THRESHOLD, HNSW_* settings)."""

    exact_threshold: int = _default("exact_search_threshold")
    ef_search: int = _default("hnsw_ef_search")
    ef_search_scoped: int = _default("hnsw_ef_search_scoped")
    max_scan_tuples: int = _default("hnsw_max_scan_tuples")


def parse_mode(value: str | None, default: SearchMode) -> SearchMode:
    if value is None:
        return default
    if value not in MODES:
        raise InvalidInput(f"unknown search mode {value!r}; use one of {', '.join(MODES)}")
    return value  # type: ignore[return-value]
