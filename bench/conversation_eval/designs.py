"""Fusion designs compared on the score matrices (every turn's cosine and BM25 for every
question, computed as the service does: bench/retrieval_eval/evaluate.score_matrices).

A design is how each leg's raw score becomes a share of its weight:
- keyword "best": bm25 / the best result's bm25 (what the service did: the best match takes
  the leg's whole weight, however weak); "attain": bm25 / the query's attainable maximum,
  (k1 + 1) * the sum of its terms' idf (how much of the query's information the item holds);
  "avg": min(1, bm25 / the sum of idf), the BM25 of an item of mean length holding every
  term once; "cover": the share of the query's idf the item holds (tf and length aside);
  "coverbest": cover * bm25 / best (BM25's order among items, scaled by what they hold);
  "cover2": cover squared (a partial match counts less than its share); "gate": cover x the
  scope's best cover (the leg weighs as much as the best match holds of the query); "half":
  the part of cover beyond one half, scaled to [0, 1] (a memory holding a minority of the
  query gets nothing); "atthalf": the same over the query's attainable share (the idf of
  the terms some memory of the scope holds), times that share; "agree": cover x how
  plausible in meaning the best keyword match is, (its cosine - the median cosine) / (the
  best cosine - the median), in [0, 1] (a confidence gate); "content": cover x the share
  of the query's content terms held (all but its most common term, here mostly the name);
  "margin": cover, at a keyword weight set per query by the legs' margins, wk x 2 x the
  keyword leg's (best - 10th share) / (that + the vector leg's best - 10th cosine), at most
  1; "dupns": cover / (1 + the memory's near-duplicates in its namespace), "dupcand": the
  same counted among the query's 100 best candidates (redundancy.py);
- vector "window": (cos - floor) / (best - floor), floor the cosine of the window-th result
  (relative to the best, like "best"); "unit": (cos - floor) / (1 - floor) (relative to a
  perfect match); "raw": the cosine itself;
- "rrf": reciprocal rank fusion, k = 60, over each leg's top 100.

The weight is chosen on dev: the best dev recall@10 among the weights at which no question
kind falls below the better leg on dev (the target), else the best dev recall@10.
"""

from collections.abc import Callable

import numpy as np

from bench.conversation_eval.redundancy import Duplicates
from bench.retrieval_eval.evaluate import Metrics, Scores, _ranks, _top

DESIGNS = ("best+window", "rrf", "best+raw", "attain+window", "attain+unit", "attain+raw",
           "avg+raw", "cover+window", "cover+raw", "coverbest+raw", "cover2+raw", "gate+raw",
           "half+raw", "atthalf+raw", "agree+raw", "content+raw", "margin+raw",
           "dupns+raw", "dupcand+raw")
DUPLICATES = ("dupns+raw", "dupcand+raw")  # need each turn's embedding (redundancy.py)
MAJORITY = 0.5  # "half" and "atthalf"
WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
WINDOW = 100
K1 = 1.2


def _keyword(s: Scores, how: str) -> np.ndarray:
    if how == "best":
        best = s.bm25.max(initial=0.0)
        return s.bm25 / best if best > 0 else np.zeros(len(s.keys))
    if how in ("cover", "margin"):
        return s.coverage
    if how == "content":
        return s.coverage * _content(s)
    if how == "coverbest":
        return s.coverage * _keyword(s, "best")
    if how == "cover2":
        return s.coverage ** 2
    if how == "gate":
        return s.coverage * s.coverage.max(initial=0.0)
    if how == "half":
        return beyond_half(s.coverage)
    if how == "atthalf":
        attainable = _attainable(s)
        if not attainable:
            return np.zeros(len(s.keys))
        return attainable * beyond_half(s.coverage / attainable)
    if how == "agree":
        return s.coverage * _agreement(s)
    if how == "avg":
        return np.minimum(1.0, s.bm25 / sum(s.idf)) if s.idf else np.zeros(len(s.keys))
    attainable = (K1 + 1) * sum(s.idf)
    return s.bm25 / attainable if attainable > 0 else np.zeros(len(s.keys))


def beyond_half(coverage: np.ndarray) -> np.ndarray:
    """The part of each share beyond MAJORITY, scaled to [0, 1]."""
    return np.maximum(0.0, (coverage - MAJORITY) / (1 - MAJORITY))


def _attainable(s: Scores) -> float:
    """The share of the query's idf held by the terms some memory of the scope holds."""
    if s.held is None or not s.idf:
        return 0.0
    idf = np.array(s.idf, dtype=float)
    return float(idf[s.held.any(axis=0)].sum() / idf.sum())


def _content(s: Scores) -> np.ndarray:
    """The share of the query's terms held, its most common term (lowest idf) aside."""
    if s.held is None or len(s.idf) < 2:
        return np.ones(len(s.keys))
    keep = np.ones(len(s.idf), dtype=bool)
    keep[int(np.argmin(s.idf))] = False
    return s.held[:, keep].sum(axis=1) / keep.sum()


def _margin_weight(s: Scores, wk: float) -> float:
    """More keyword weight when the keyword leg separates its top 10 more than the
    vector leg does (a per-query weight from the two legs' score distributions)."""
    shares, cosines = np.sort(s.coverage)[::-1], np.sort(s.cosine)[::-1]
    keyword, vector = shares[0] - shares[9], cosines[0] - cosines[9]
    return min(1.0, wk * 2 * keyword / max(keyword + vector, 1e-9))


def _agreement(s: Scores) -> float:
    best = s.coverage.max(initial=0.0)
    if best <= 0:
        return 0.0
    cosine = s.cosine[s.coverage >= best - 1e-12].max()
    median, top = np.median(s.cosine), s.cosine.max()
    return float(np.clip((cosine - median) / max(top - median, 1e-6), 0.0, 1.0))


def _vector(s: Scores, how: str) -> np.ndarray:
    top = np.sort(s.cosine)[::-1][:WINDOW]
    floor = top[-1]
    if how == "window":
        return (s.cosine - floor) / max(top[0] - floor, 1e-6)
    if how == "unit":
        return (s.cosine - floor) / max(1 - floor, 1e-6)
    return s.cosine


Extra = Callable[[Scores], np.ndarray | None]  # added to a fused score (the time cue)


def ranking(s: Scores, design: str, wk: float, extra: Extra | None = None,
            dups: Duplicates | None = None) -> list[str]:
    if design == "semantic":
        return _top(s.keys, s.cosine)
    if design == "keyword":
        return _top(s.keys, s.bm25, s.bm25 > 0)
    if design == "rrf":
        everything = np.ones(len(s.keys), dtype=bool)
        kr = _ranks(s.bm25, s.keys, s.bm25 > 0, 100)
        vr = _ranks(s.cosine, s.keys, everything, 100)
        score = wk / (60 + kr) + (1 - wk) / (60 + vr)
    else:
        keyword, vector = design.split("+")
        if keyword == "margin":
            wk = _margin_weight(s, wk)
        share = _keyword(s, "cover" if keyword.startswith("dup") else keyword)
        if keyword.startswith("dup"):
            assert dups is not None
            share = share / (1 + (dups.in_namespace(s) if keyword == "dupns" else
                                  dups.among_candidates(s, wk * share + (1 - wk) * s.cosine)))
        score = wk * share + (1 - wk) * _vector(s, vector)
    more = extra(s) if extra else None
    return _top(s.keys, score if more is None else score + more)


def metrics(matrices: list[Scores], design: str, wk: float,
            extra: Extra | None = None, dups: Duplicates | None = None) -> dict[str, float]:
    m = Metrics()
    for s in matrices:
        m.add(ranking(s, design, wk, extra, dups), s.question.answers)
    return m.mean()


def _by_kind(part: list[Scores], kinds: list[str], design: str, wk: float,
             extra: Extra | None, dups: Duplicates | None) -> dict[str, dict[str, float]]:
    return {k: metrics([s for s in part if s.question.kind == k], design, wk, extra, dups)
            for k in kinds}


def compare(matrices: list[Scores], split_of, kinds: list[str],
            extra: Extra | None = None, dups: Duplicates | None = None) -> list[dict]:
    """Each design at its weight chosen on dev (module docstring), reported on dev and test,
    overall and per question kind; the legs alone for reference. `extra` (the time cue)
    is added to every fused design's score, not to the legs'. Without `dups` (the turns'
    embeddings) the "dup" designs are left out."""
    parts = {split: [s for s in matrices if split_of(s.question) == split]
             for split in ("dev", "test")}
    rows: list[dict] = []
    floor: dict[str, float] = {}  # dev: the better leg's recall@10 per kind
    for design in ("semantic", "keyword", *DESIGNS):
        if design in DUPLICATES and dups is None:
            continue
        fused = design in DESIGNS
        weights = WEIGHTS if fused else (0.0,)
        on_dev = {wk: (metrics(parts["dev"], design, wk, extra, dups)["recall@10"],
                       _by_kind(parts["dev"], kinds, design, wk, extra, dups))
                  for wk in weights}
        meets = [wk for wk in weights if fused and all(
            on_dev[wk][1][k]["recall@10"] >= floor[k] - 1e-9 for k in kinds)]
        wk = max(meets or weights, key=lambda w: (on_dev[w][0], -abs(w - 0.5)))
        row: dict = {"design": design, "keyword_weight": wk, "meets_on_dev": bool(meets),
                     "dev_by_weight": {w: r for w, (r, _) in on_dev.items()}}
        for split, part in parts.items():
            row[split] = metrics(part, design, wk, extra, dups)
            row[f"{split}_by_kind"] = _by_kind(part, kinds, design, wk, extra, dups)
        if not fused:
            for k in kinds:
                floor[k] = max(floor.get(k, 0.0), row["dev_by_kind"][k]["recall@10"])
        rows.append(row)
    return rows
