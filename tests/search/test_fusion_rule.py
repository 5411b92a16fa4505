"""The fusion rule itself (app/search/fusion.py), on candidates with known scores: a memory's
keyword part is the share of the query's idf it holds, so a weak match (a common word, a
small share) cannot push a memory the vector leg ranks well out of the top results, while one
that holds all of the query's rare words still rises to the top. Also what the rule
deliberately does not do: a memory holding half the query outranks a slightly closer one
holding none (bench/conversation_eval/RESULTS.md: "When did Dev change jobs?" needs it, and
the paraphrased questions it costs could not be told apart from those)."""

from app.repositories.keyword_search import TermStats
from app.search import fusion

WEIGHTS = fusion.Weights(keyword=0.4, semantic=0.6)  # the defaults


def candidate(key: str, cosine: float, coverage: float) -> fusion.Candidate:
    return fusion.Candidate("ns", key, cosine, coverage)


def top(candidates: list[fusion.Candidate], k: int) -> list[str]:
    return [c.key for _, c in fusion.ranked(candidates, WEIGHTS)[:k]]


def test_a_weak_keyword_match_cannot_push_a_strong_semantic_hit_out():
    # "what pets does the user have?": ten memories share only the common word "user"
    # (under a tenth of the query's idf, so at most 0.04 of fused score); the pets memory
    # shares no word at all but leads in meaning by more than that.
    stats = TermStats(("pet", "user"), (1.9, 0.2), 6.0)
    user = fusion.coverage((False, True), stats)
    assert user < 0.1
    pets = candidate("pets", cosine=0.55, coverage=0.0)
    common = [candidate(f"user{i}", cosine=0.48, coverage=user) for i in range(10)]
    assert top([*common, pets], 1) == ["pets"]


def test_a_strong_keyword_match_still_lifts_an_exact_term_hit():
    # "Who are Miso and Tofu?": one memory names both, and it is far in meaning.
    stats = TermStats(("miso", "tofu"), (2.0, 2.0), 6.0)
    exact = candidate("cats", cosine=0.20, coverage=fusion.coverage((True, True), stats))
    close = [candidate(f"near{i}", cosine=0.50, coverage=0.0) for i in range(10)]
    assert top([exact, *close], 1) == ["cats"]


def test_half_the_query_outranks_a_slightly_closer_memory_holding_none():
    half = candidate("changed-jobs", cosine=0.45, coverage=0.53)
    closer = candidate("small-talk", cosine=0.60, coverage=0.06)
    assert top([closer, half], 1) == ["changed-jobs"]


def test_more_of_the_query_held_never_lowers_the_score():
    scores = [fusion.fused(candidate("x", 0.3, c / 20), WEIGHTS) for c in range(21)]
    assert scores == sorted(scores)


def test_terms_without_information_leave_the_semantic_order():
    stats = TermStats(("user",), (0.0,), 5.0)
    assert fusion.coverage((True,), stats) == 0.0
    assert fusion.coverage(None, stats) == 0.0
    assert top([candidate("b", 0.4, 0.0), candidate("a", 0.5, 0.0)], 2) == ["a", "b"]
