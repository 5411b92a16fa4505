"""Search modes: semantic (vectors), keyword (BM25 over the full-text index), and hybrid
(a weighted fusion of the two). Every query path is here (engine.search_items, vector.py);
MemoryStore delegates to it, and nothing here imports the store."""

from app.search.config import MODES, SearchConfig, SearchMode, parse_mode

__all__ = ["MODES", "SearchConfig", "SearchMode", "parse_mode"]
