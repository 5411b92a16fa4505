"""Retrieval quality: recall@5, recall@10 and MRR@10 of each search mode, asked through the
service itself (MemoryService.search, the code every door runs), and a sweep of fusion
variants on full score matrices for choosing the defaults.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from app.memories.service import MemoryService
from app.repositories import keyword_search as keyword_sql
from app.repositories.conditions import ns_text
from app.repositories.keyword_search import Bm25
from bench.retrieval_eval.dataset import Question

MODES = ("semantic", "keyword", "hybrid")
K = 10


@dataclass
class Metrics:
    recall5: float = 0.0
    recall10: float = 0.0
    mrr: float = 0.0
    n: int = 0

    def add(self, ranked: list[str], answers: tuple[str, ...]) -> None:
        truth = set(answers)
        self.recall5 += len(truth & set(ranked[:5])) / len(truth)
        self.recall10 += len(truth & set(ranked[:10])) / len(truth)
        self.mrr += next((1 / (i + 1) for i, k in enumerate(ranked[:K]) if k in truth), 0.0)
        self.n += 1

    def mean(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {"recall@5": self.recall5 / n, "recall@10": self.recall10 / n,
                "mrr@10": self.mrr / n, "questions": self.n}


@dataclass
class Report:
    overall: dict[str, dict[str, float]] = field(default_factory=dict)  # mode -> metrics
    by_kind: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    rankings: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # mode -> q -> keys


async def quality(service: MemoryService, questions: list[Question],
                  modes=MODES) -> Report:
    report = Report()
    for mode in modes:
        total = Metrics()
        kinds: dict[str, Metrics] = defaultdict(Metrics)
        ranked_by_q: dict[str, list[str]] = {}
        for q in questions:
            found = await service.search(q.namespace, query=q.text, limit=K, mode=mode)
            ranked = [i.key for i in found]
            ranked_by_q[q.id] = ranked
            total.add(ranked, q.answers)
            kinds[q.kind].add(ranked, q.answers)
        report.overall[mode] = total.mean()
        report.by_kind[mode] = {k: m.mean() for k, m in sorted(kinds.items())}
        report.rankings[mode] = ranked_by_q
    return report


# -- the sweep ---------------------------------------------------------------------------


@dataclass
class Scores:
    """One question against every memory of its namespace."""

    question: Question
    keys: list[str]
    cosine: np.ndarray
    bm25: np.ndarray
    idf: tuple[float, ...] = ()  # of the query's terms in the scope (none matched: empty)
    # share of the query's idf each item holds (any tf): sum of idf of its terms / sum of idf
    coverage: np.ndarray | None = None
    terms: tuple[str, ...] = ()  # the query's terms, in idf's order
    held: np.ndarray | None = None  # items x terms: which terms each item holds


async def score_matrices(store, questions: list[Question], keys_by_ns: dict[str, list[str]],
                         bm25: Bm25) -> list[Scores]:
    out = []
    vectors = await store.embedder.embed([q.text for q in questions])
    lexemes: dict[str, dict[str, set[str]]] = {}  # namespace -> key -> its indexed lexemes
    for q, vector in zip(questions, vectors, strict=True):
        ns = ns_text(q.namespace)
        keys = keys_by_ns[ns]
        async with store.pool.connection() as conn:
            if ns not in lexemes:
                cur = await conn.execute("SELECT key, tsvector_to_array(tsv) AS lexemes"
                                         " FROM store_keywords WHERE prefix = %s", (ns,))
                lexemes[ns] = {r["key"]: set(r["lexemes"]) for r in await cur.fetchall()}
            terms, size = await keyword_sql.query_terms(conn, q.text, q.namespace)
            page = await keyword_sql.keyword_search(conn, terms, q.namespace, [], 1, 0, bm25,
                                                    size)
            items = [(ns, k) for k in keys]
            cosine, bm25_of = await keyword_sql.fill_scores(conn, items, items, vector,
                                                            page.stats, bm25)
        idf = page.stats.idf if page.stats else ()
        total = sum(idf) or 1.0
        held = np.array([[t in lexemes[ns].get(k, ()) for t in terms[:len(idf)]]
                         for k in keys], dtype=bool).reshape(len(keys), len(idf))
        coverage = held.astype(float) @ np.array(idf, dtype=float) / total
        out.append(Scores(q, keys, np.array([cosine[i] for i in items]),
                          np.array([bm25_of.get(i, 0.0) for i in items]), idf, coverage,
                          tuple(terms[:len(idf)]), held))
    return out


def _top(keys: list[str], score: np.ndarray, eligible: np.ndarray | None = None) -> list[str]:
    order = sorted(range(len(keys)), key=lambda i: (-score[i], keys[i]))
    if eligible is not None:
        order = [i for i in order if eligible[i]]
    return [keys[i] for i in order[:K]]


def _ranks(score: np.ndarray, keys: list[str], eligible: np.ndarray, depth: int) -> np.ndarray:
    """1-based rank within the leg's top `depth`, inf outside it."""
    order = [i for i in sorted(range(len(keys)), key=lambda i: (-score[i], keys[i]))
             if eligible[i]][:depth]
    ranks = np.full(len(keys), math.inf)
    for r, i in enumerate(order):
        ranks[i] = r + 1
    return ranks


def fused_ranking(s: Scores, variant: str, wk: float, window: int = 100,
                  depth: int = 100) -> list[str]:
    """The top 10 under one fusion variant (variants other than "ours" are the usual
    alternatives, for comparison)."""
    matched = s.bm25 > 0
    everything = np.ones(len(s.keys), dtype=bool)
    if variant == "semantic":
        return _top(s.keys, s.cosine)
    if variant == "keyword":
        return _top(s.keys, s.bm25, matched)
    wv = 1 - wk
    if variant == "rrf":
        kr = _ranks(s.bm25, s.keys, matched, depth)
        vr = _ranks(s.cosine, s.keys, everything, depth)
        score = wk * 2 / (60 + kr) + wv * 2 / (60 + vr)
        return _top(s.keys, score)
    if variant == "minmax":  # min-max over each leg's candidates; absent from a leg: 0
        kr = _ranks(s.bm25, s.keys, matched, depth)
        vr = _ranks(s.cosine, s.keys, everything, depth)
        kn = np.zeros(len(s.keys))
        vn = np.zeros(len(s.keys))
        for norm, raw, ranks in ((kn, s.bm25, kr), (vn, s.cosine, vr)):
            inside = np.isfinite(ranks)
            if inside.any():
                lo, hi = raw[inside].min(), raw[inside].max()
                norm[inside] = (raw[inside] - lo) / (hi - lo) if hi > lo else 1.0
        return _top(s.keys, wk * kn + wv * vn)
    best_bm25 = s.bm25.max() if matched.any() else 0.0
    kn = s.bm25 / best_bm25 if best_bm25 > 0 else np.zeros(len(s.keys))
    if variant == "ours":  # app/search/fusion.py until bench/conversation_eval
        top = np.sort(s.cosine)[::-1][:window]
        span = max(top[0] - top[-1], 1e-6)
        return _top(s.keys, wk * kn + wv * (s.cosine - top[-1]) / span)
    if variant == "coverage":  # app/search/fusion.py: share of the query's idf + cosine
        return _top(s.keys, wk * s.coverage + wv * s.cosine)
    if variant == "rawcos":
        return _top(s.keys, wk * kn + wv * s.cosine)
    raise ValueError(variant)


def sweep_metrics(matrices: list[Scores], variant: str, wk: float, **kw) -> dict[str, float]:
    m = Metrics()
    for s in matrices:
        m.add(fused_ranking(s, variant, wk, **kw), s.question.answers)
    return m.mean()

