"""Weighted fusion of normalised keyword and vector scores.

Each item's fused score depends on the item, the query and the scope only, never on the
page asked for:

    fused = keyword_weight * bm25 / best_bm25
          + semantic_weight * (cosine - floor) / (best_cosine - floor)

best_bm25 and best_cosine are the best scores of any result; floor is the cosine of the
`window`-th best vector result (the worst, if fewer match). So the items between the best
and the window's last span [0, 1] on both legs (items further down the vector ranking go
below 0), and an item no keyword matches gets 0 from that leg. Measured against reciprocal
rank fusion, min-max over candidate lists and raw cosine in bench/retrieval_eval.

keyword_search.hybrid_exact computes the same in SQL for scopes searched exactly.
"""

from collections.abc import Iterable
from dataclasses import dataclass

# A floor this close to the best cosine would blow small differences up; one this small
# keeps the ranking by cosine alone among them (any positive span does).
MIN_SPAN = 1e-6


@dataclass(frozen=True)
class Candidate:
    prefix: str
    key: str
    cosine: float
    bm25: float


@dataclass(frozen=True)
class Weights:
    keyword: float
    semantic: float


@dataclass(frozen=True)
class Scale:
    best_bm25: float  # 0 when no result holds any of the query's terms
    best_cosine: float
    floor: float

    @property
    def span(self) -> float:
        return max(self.best_cosine - self.floor, MIN_SPAN)


def scale_of(candidates: dict[tuple[str, str], Candidate],
             vector_ranking: list[tuple[str, str]], window: int) -> Scale:
    """`vector_ranking` is the vector leg's result, best first, at least `window` long
    unless fewer items match."""
    cosines = [candidates[k].cosine for k in vector_ranking[:window]]
    best_bm25 = max((c.bm25 for c in candidates.values()), default=0.0)
    if not cosines:
        return Scale(best_bm25, 0.0, 0.0)
    return Scale(best_bm25, max(cosines), min(cosines))


def fused(candidate: Candidate, scale: Scale, weights: Weights) -> float:
    keyword = candidate.bm25 / scale.best_bm25 if scale.best_bm25 > 0 else 0.0
    semantic = (candidate.cosine - scale.floor) / scale.span
    return weights.keyword * keyword + weights.semantic * semantic


def ranked(candidates: Iterable[Candidate], scale: Scale,
           weights: Weights) -> list[tuple[float, Candidate]]:
    scored = [(fused(c, scale, weights), c) for c in candidates]
    scored.sort(key=lambda sc: (-sc[0], sc[1].prefix, sc[1].key))
    return scored
