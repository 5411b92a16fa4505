"""Fusion designs compared on the score matrices (every turn's cosine and BM25 for every
question, computed as the service does: bench/retrieval_eval/evaluate.score_matrices).

A design is how each leg's raw score becomes a share of its weight:
- keyword "best": bm25 / the best result's bm25 (what the service did: the best match takes
  the leg's whole weight, however weak); "attain": bm25 / the query's attainable maximum,
  (k1 + 1) * the sum of its terms' idf (how much of the query's information the item holds);
  "avg": min(1, bm25 / the sum of idf), the BM25 of an item of mean length holding every
  term once; "cover": the share of the query's idf the item holds (tf and length aside);
  "coverbest": cover * bm25 / best (BM25's order among items, scaled by what they hold);
- vector "window": (cos - floor) / (best - floor), floor the cosine of the window-th result
  (relative to the best, like "best"); "unit": (cos - floor) / (1 - floor) (relative to a
  perfect match); "raw": the cosine itself;
- "rrf": reciprocal rank fusion, k = 60, over each leg's top 100.
"""

import numpy as np

from bench.retrieval_eval.evaluate import Metrics, Scores, _ranks, _top

DESIGNS = ("best+window", "rrf", "best+raw", "attain+window", "attain+unit", "attain+raw",
           "avg+raw", "cover+window", "cover+raw", "coverbest+raw")
WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
WINDOW = 100
K1 = 1.2


def _keyword(s: Scores, how: str) -> np.ndarray:
    if how == "best":
        best = s.bm25.max(initial=0.0)
        return s.bm25 / best if best > 0 else np.zeros(len(s.keys))
    if how == "cover":
        return s.coverage
    if how == "coverbest":
        return s.coverage * _keyword(s, "best")
    if how == "avg":
        return np.minimum(1.0, s.bm25 / sum(s.idf)) if s.idf else np.zeros(len(s.keys))
    attainable = (K1 + 1) * sum(s.idf)
    return s.bm25 / attainable if attainable > 0 else np.zeros(len(s.keys))


def _vector(s: Scores, how: str) -> np.ndarray:
    top = np.sort(s.cosine)[::-1][:WINDOW]
    floor = top[-1]
    if how == "window":
        return (s.cosine - floor) / max(top[0] - floor, 1e-6)
    if how == "unit":
        return (s.cosine - floor) / max(1 - floor, 1e-6)
    return s.cosine


def ranking(s: Scores, design: str, wk: float) -> list[str]:
    if design == "semantic":
        return _top(s.keys, s.cosine)
    if design == "keyword":
        return _top(s.keys, s.bm25, s.bm25 > 0)
    if design == "rrf":
        everything = np.ones(len(s.keys), dtype=bool)
        kr = _ranks(s.bm25, s.keys, s.bm25 > 0, 100)
        vr = _ranks(s.cosine, s.keys, everything, 100)
        return _top(s.keys, wk / (60 + kr) + (1 - wk) / (60 + vr))
    keyword, vector = design.split("+")
    return _top(s.keys, wk * _keyword(s, keyword) + (1 - wk) * _vector(s, vector))


def metrics(matrices: list[Scores], design: str, wk: float) -> dict[str, float]:
    m = Metrics()
    for s in matrices:
        m.add(ranking(s, design, wk), s.question.answers)
    return m.mean()


def compare(matrices: list[Scores], split_of, kinds: list[str]) -> list[dict]:
    """Each design at its best keyword weight on dev (recall@10), reported on dev and test,
    overall and per question kind; the legs alone for reference."""
    dev = [s for s in matrices if split_of(s.question) == "dev"]
    rows = []
    for design in ("semantic", "keyword", *DESIGNS):
        weights = WEIGHTS if design in DESIGNS else (0.0,)
        on_dev = {wk: metrics(dev, design, wk)["recall@10"] for wk in weights}
        wk = max(weights, key=lambda w: (on_dev[w], -abs(w - 0.5)))
        row: dict = {"design": design, "keyword_weight": wk, "dev_by_weight": on_dev}
        for split in ("dev", "test"):
            part = [s for s in matrices if split_of(s.question) == split]
            row[split] = metrics(part, design, wk)
            row[f"{split}_by_kind"] = {k: metrics([s for s in part if s.question.kind == k],
                                                  design, wk) for k in kinds}
        rows.append(row)
    return rows
