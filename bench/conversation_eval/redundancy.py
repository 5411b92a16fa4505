"""How often a turn repeats in its conversation: the near-duplicates of each turn (another
turn of its namespace whose stored text's embedding has cosine >= TAU with its own), for
the "dup" designs (designs.py). Like a document-level idf: small talk said in many
sessions ("Pia: How's everyone at home?") matches a query's words without being what a
question asks, and a fact is said once.

Two scopes, as a service could count them: over the whole namespace ("dupns": at write
time, a kNN query per write and the neighbours' counts kept up to date), or among a
query's DEPTH best candidates only ("dupcand": DEPTH x DEPTH cosines at query time)."""

import numpy as np

from bench.retrieval_eval.evaluate import Scores

TAU = 0.9  # at 0.9 no evidence turn has a near-duplicate (at 0.85 3% of dated ones do)
DEPTH = 100  # the candidates counted among (HYBRID_CANDIDATES)


class Duplicates:
    def __init__(self, vectors: dict[str, np.ndarray], said_again: dict[str, int] | None = None
                 ) -> None:
        """`said_again`: a what-if (run.py --facts-said-again), the near-duplicates these
        keys would have if said that many more times (in the namespace count only)."""
        self.unit = {k: v / np.linalg.norm(v) for k, v in vectors.items()}
        self.said_again = said_again or {}
        self._namespace: dict[tuple[str, ...], np.ndarray] = {}

    def _matrix(self, keys: list[str]) -> np.ndarray:
        return np.array([self.unit[k] for k in keys])

    def in_namespace(self, s: Scores) -> np.ndarray:
        """Each memory's near-duplicates among every memory of the question's scope."""
        ns = s.question.namespace
        if ns not in self._namespace:
            x = self._matrix(s.keys)
            counts = ((x @ x.T) >= TAU).sum(axis=1) - 1.0
            self._namespace[ns] = np.array([self.said_again.get(k, c)
                                            for k, c in zip(s.keys, counts, strict=True)])
        return self._namespace[ns]

    def among_candidates(self, s: Scores, score: np.ndarray) -> np.ndarray:
        """Near-duplicates among the DEPTH best memories by `score`; 0 outside them."""
        top = np.argsort(-score, kind="stable")[:DEPTH]
        x = self._matrix([s.keys[i] for i in top])
        out = np.zeros(len(s.keys))
        out[top] = ((x @ x.T) >= TAU).sum(axis=1) - 1.0
        return out
