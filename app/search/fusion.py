"""Weighted fusion of how much of the question a memory holds and how close it is in meaning.

    fused = keyword_weight * coverage + semantic_weight * cosine
            (+ TIME_CUE_BOOST when the query names the month the memory occurred in)

coverage is the share of the query's information the item holds: the sum of the idf of the
query's terms it contains over the sum of the idf of all the query's terms (idf counted
over the scope searched, as keyword search counts it), in [0, 1]. cosine is the vector
leg's own score, unscaled. So each item's score depends on the item, the query and the
scope only, never on the other results or the page asked for.

Why not scale each leg by its best result (what we did): the best keyword match then took
the leg's whole weight however weak, so for "what pets does the user have?" a memory
sharing only the common word "user" ("Carol's OKRs focus on user retention") outranked
the memories about pets; and a weak vector best was stretched the same way. Designs
compared (today's, reciprocal rank fusion, BM25 over its attainable maximum, coverage,
scaled or raw cosine) in bench/conversation_eval (designs.py, RESULTS.md), chosen on its
dev half; hybrid_search.hybrid_exact computes the same in SQL.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from app.repositories.keyword_search import TermStats


@dataclass(frozen=True)
class Candidate:
    prefix: str
    key: str
    cosine: float
    coverage: float
    in_cue: bool = False  # dated in the month the query names (time_cue.py)


@dataclass(frozen=True)
class Weights:
    keyword: float
    semantic: float
    time_cue: float = 0.0


def coverage(held: tuple[bool, ...] | None, stats: TermStats | None) -> float:
    """The share of the query's idf held: `held` says which of `stats.terms` the item
    holds (None: none)."""
    if not held or not stats:
        return 0.0
    total = sum(stats.idf)
    if total <= 0:
        return 0.0
    return sum(w for w, h in zip(stats.idf, held, strict=True) if h) / total


def fused(candidate: Candidate, weights: Weights) -> float:
    return (weights.keyword * candidate.coverage + weights.semantic * candidate.cosine
            + (weights.time_cue if candidate.in_cue else 0.0))


def ranked(candidates: Iterable[Candidate], weights: Weights) -> list[tuple[float, Candidate]]:
    scored = [(fused(c, weights), c) for c in candidates]
    scored.sort(key=lambda sc: (-sc[0], sc[1].prefix, sc[1].key))
    return scored
