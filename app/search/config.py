"""Search settings in one object, so every door searches alike."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from app.errors import InvalidInput
from app.repositories.keyword_search import Bm25

if TYPE_CHECKING:
    from app.config import Settings

SearchMode = Literal["hybrid", "semantic", "keyword"]
MODES: tuple[str, ...] = get_args(SearchMode)


@dataclass(frozen=True)
class SearchConfig:
    """Defaults are the settings' defaults (measured with bench/retrieval_eval)."""

    default_mode: SearchMode = "semantic"
    language: str = "english"
    keyword_weight: float = 0.5
    semantic_weight: float = 0.5
    candidates: int = 100
    bm25: Bm25 = Bm25()

    @classmethod
    def from_settings(cls, settings: "Settings") -> "SearchConfig":
        return cls(
            default_mode=settings.search_default_mode,
            language=settings.text_search_language,
            keyword_weight=settings.hybrid_keyword_weight,
            semantic_weight=settings.hybrid_semantic_weight,
            candidates=settings.hybrid_candidates,
            bm25=Bm25(settings.bm25_k1, settings.bm25_b),
        )


def parse_mode(value: str | None, default: SearchMode) -> SearchMode:
    if value is None:
        return default
    if value not in MODES:
        raise InvalidInput(f"unknown search mode {value!r}; use one of {', '.join(MODES)}")
    return value  # type: ignore[return-value]
