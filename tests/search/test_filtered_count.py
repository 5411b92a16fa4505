"""A filtered search decides between the exact and the HNSW path by counting its candidates.
Counting with the filter joins every candidate to its item, as the exact search then does
again: 20,000 memories in one namespace took ~80 ms for a filtered semantic search against
~25 ms unfiltered. The scope's unfiltered count (vectors alone) bounds the filtered one, so
the filtered count runs only for a scope above EXACT_SEARCH_THRESHOLD."""

import pytest

from app.repositories import search as search_sql
from tests.hybrid.helpers import app_client, create_many, search

NS = ("memories", "pat")
TEXTS = {f"m{i}": {"text": f"note {i} about the weekly garden chores", "n": i}
         for i in range(8)}


@pytest.fixture
def counts(monkeypatch) -> list[bool]:
    """One entry per candidate count: whether it counted with a filter."""
    found: list[bool] = []
    original = search_sql.count_vector_candidates

    async def spy(conn, prefix, conditions, cap):
        found.append(bool(conditions))
        return await original(conn, prefix, conditions, cap)

    monkeypatch.setattr(search_sql, "count_vector_candidates", spy)
    return found


@pytest.mark.parametrize("threshold, filtered_counts", [(20_000, 0), (5, 1)])
async def test_a_filter_is_counted_only_above_the_threshold(settings, embedder, counts,
                                                            threshold, filtered_counts):
    async with app_client(settings, embedder, exact_search_threshold=threshold) as (client, _):
        await create_many(client, NS, TEXTS)
        counts.clear()
        found = await search(client, NS, "garden chores", mode="semantic",
                             filter={"content": {"n": {"$lt": 3}}})
    assert sorted(i["key"] for i in found) == ["m0", "m1", "m2"]  # exact either way
    assert counts.count(True) == filtered_counts
