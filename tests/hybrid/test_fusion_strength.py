"""Hybrid fusion weighs how much of the question a memory matches: a weak match on a common
word must not take the keyword leg's whole weight (it did when each leg was scaled by its own
best result: "what pets does the user have?" ranked "Carol's OKRs focus on user retention"
above the user's pets)."""

import pytest

from tests.hybrid.helpers import app_client, create_many, keys, search

NS = ("memories", "carol-team")
# An assistant's memories: "the user" is in many of them, so it is a common, weak word.
MEMORIES = {
    "dog": "Has a golden retriever called Rufus",
    "cats": "Adopted two cats, Miso and Tofu, last spring",
    "okrs": "Carol's OKRs focus on user retention",
    "seat": "The user prefers window seats on long flights",
    "job": "The user works as a data engineer in Berlin",
    "peanuts": "The user is allergic to peanuts",
    "language": "Is learning Portuguese on weekday evenings",
    "flat": "Lives in a flat with a small balcony",
}
QUESTION = "what pets does the user have?"


async def _check(client) -> None:
    await create_many(client, NS, MEMORIES)
    # The keyword leg alone finds only memories holding "user" (none says "pet").
    assert set(await keys(client, NS, QUESTION, mode="keyword")) == {
        "okrs", "seat", "job", "peanuts"}
    found = await keys(client, NS, QUESTION, mode="hybrid")
    assert set(found[:2]) == {"dog", "cats"}, found


async def test_a_weak_common_word_match_does_not_take_the_keyword_weight(client):
    await _check(client)


async def test_the_same_over_the_streamed_path(settings, embedder):
    """Above EXACT_SEARCH_THRESHOLD candidates (here: always) the legs run apart and are
    fused block by block, under the same scale."""
    async with app_client(settings, embedder, exact_search_threshold=0,
                          hybrid_candidates=4) as (client, _):
        await _check(client)


async def test_a_full_match_still_counts(client):
    """The keyword share is the share of the question's idf a memory holds: one holding
    all of its rare words gets the whole keyword weight."""
    await create_many(client, NS, MEMORIES)
    hybrid = await search(client, NS, "Who are Miso and Tofu?", mode="hybrid")
    assert hybrid[0]["key"] == "cats"
    assert hybrid[0]["score"] == pytest.approx(max(i["score"] for i in hybrid))


async def test_streamed_and_exact_paths_score_alike(client, settings, embedder):
    """An item's fused score is its own, not its block's: the streamed path (legs apart,
    3 vector candidates per block) gives every memory the exact path's score."""
    await create_many(client, NS, MEMORIES)
    exact = await search(client, NS, QUESTION, mode="hybrid", limit=20)
    async with app_client(settings, embedder, exact_search_threshold=0,
                          hybrid_candidates=3) as (streamed, _):
        found = await search(streamed, NS, QUESTION, mode="hybrid", limit=20)
    assert {i["key"]: pytest.approx(i["score"]) for i in found} == {
        i["key"]: i["score"] for i in exact}
