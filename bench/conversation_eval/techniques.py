"""Techniques tried on top of the service's hybrid (cover+raw at its weight), on the score
matrices of the turns stored with their session's date (`occurred_at`), each chosen on dev
and reported on test against the service as it is:

- time cue: a question naming a month ("in May 2023") adds `boost` to turns dated in that
  month ("boost"), or ranks those turns first ("filter"). Questions without a cue are
  ranked as before. (The service indexes the date's words already: this asks whether
  matching the date as a date adds to that.)
- role stop words: the speaker's own word dropped from the query's keyword terms. An
  assistant's memories of a chat read "user: ..." / "assistant: ..."; here every turn
  starts with its speaker's name, which plays the same part (in half of the turns, named
  by most questions), so dropping the name measures what dropping "user"/"assistant" does
  to the keyword leg (the vector leg's texts are unchanged).
"""

import re
from collections.abc import Callable

import numpy as np

from bench.retrieval_eval.evaluate import Metrics, Scores, _top

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
CUE = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)
BOOSTS = (0.05, 0.1, 0.2, 0.3)


def time_cue(question: str) -> tuple[int, int] | None:
    """(year, month) of "... in May 2023 ..."; None without one."""
    found = CUE.search(question)
    return (int(found.group(2)), MONTHS.index(found.group(1).lower()) + 1) if found else None


def fused(s: Scores, wk: float, coverage: np.ndarray | None = None) -> np.ndarray:
    return wk * (s.coverage if coverage is None else coverage) + (1 - wk) * s.cosine


def in_month(s: Scores, month_of: Callable[[str], tuple[int, int]]) -> np.ndarray | None:
    cue = time_cue(s.question.text)
    if cue is None:
        return None
    return np.array([month_of(k) == cue for k in s.keys], dtype=float)


def without_roles(s: Scores, roles: set[str]) -> np.ndarray:
    """Coverage over the query's terms other than the role words."""
    keep = np.array([t not in roles for t in s.terms], dtype=bool)
    idf = np.array(s.idf, dtype=float) * keep
    if s.held is None or idf.sum() <= 0:
        return np.zeros(len(s.keys))
    return s.held.astype(float) @ idf / idf.sum()


def ranking(s: Scores, technique: str, wk: float, param: float,
            month_of: Callable[[str], tuple[int, int]],
            roles_of: Callable[[Scores], set[str]]) -> list[str]:
    if technique == "roles":
        return _top(s.keys, fused(s, wk, without_roles(s, roles_of(s))))
    score = fused(s, wk)
    match = in_month(s, month_of) if technique in ("boost", "filter") else None
    if match is not None:
        score = score + (param * match if technique == "boost" else 10.0 * match)
    return _top(s.keys, score)


def metrics(matrices: list[Scores], *args) -> dict[str, float]:
    m = Metrics()
    for s in matrices:
        m.add(ranking(s, *args), s.question.answers)
    return m.mean()


def compare(matrices: list[Scores], split_of, kinds: list[str], wk: float,
            month_of, roles_of) -> list[dict]:
    """The service as it is ("none"), then each technique at its best dev parameter."""
    rows = []
    for technique, params in (("none", (0.0,)), ("boost", BOOSTS), ("filter", (0.0,)),
                              ("roles", (0.0,))):
        dev = [s for s in matrices if split_of(s.question) == "dev"]
        on_dev = {p: metrics(dev, technique, wk, p, month_of, roles_of)["recall@10"]
                  for p in params}
        param = max(params, key=lambda p: on_dev[p])
        row: dict = {"technique": technique, "param": param, "dev_by_param": on_dev}
        for split in ("dev", "test"):
            part = [s for s in matrices if split_of(s.question) == split]
            row[split] = metrics(part, technique, wk, param, month_of, roles_of)
            row[f"{split}_by_kind"] = {
                k: metrics([s for s in part if s.question.kind == k], technique, wk, param,
                           month_of, roles_of) for k in kinds}
        rows.append(row)
    return rows
