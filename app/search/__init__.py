"""Search modes: semantic (vectors), keyword (BM25 over the full-text index), and hybrid
(a weighted fusion of the two). MemoryStore.search_items picks the mode and calls here."""

from app.search.config import MODES, SearchConfig, SearchMode, parse_mode

__all__ = ["MODES", "SearchConfig", "SearchMode", "parse_mode"]
