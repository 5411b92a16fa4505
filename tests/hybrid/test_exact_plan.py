"""Hybrid's exact statement reads each step's rows once, whatever the planner estimates.

It brings every candidate's cosine and the items holding the query's words together.
Fresh from a write burst or an import, before autovacuum has counted them, the namespace's
rows were estimated at one or two, and a join of the two ran as a nested loop: the keyword
matches were read again for every candidate, work growing with candidates x matches.
20,000 memories in one new namespace: 493 ms a search, against 24 ms semantic
(bench/ONE_NAMESPACE.md).
"""

import re

from app.repositories import hybrid_search as hybrid_sql
from app.repositories import keyword_search as keyword_sql
from tests.hybrid.helpers import create_many, search
from tests.search.helpers import _Explaining

NS = ("memories", "busy")
QUERY = "what did the user say about tea and the garden?"
TEXTS = {f"m{i}": f"note {i}: the user talked about {'tea' if i % 3 else 'the garden'} today"
         for i in range(150)}
STEP = re.compile(r"CTE Scan on (\w+).*\(actual .* rows=([\d.]+) loops=(\d+)\)")


async def test_exact_hybrid_reads_the_keyword_matches_once(client, store, embedder):
    await create_many(client, NS, TEXTS)  # no ANALYZE since: the planner's estimates are off
    vector = (await embedder.embed([QUERY]))[0]
    async with store.pool.connection() as conn:
        terms, size = await keyword_sql.query_terms(conn, QUERY, NS)
        probe = _Explaining(conn, analyze=True)
        found = await hybrid_sql.hybrid_exact(probe, vector, terms, size, NS, [], 10, 0,
                                              0.4, 0.6)
    assert len(found) == 10
    (plan,) = probe.plans
    steps = STEP.findall(plan)
    assert any(name == "hits" and float(rows) == len(TEXTS) for name, rows, _ in steps), plan
    # read again per candidate only what is one row (the query's idf)
    assert all(loops == "1" or float(rows) <= 1 for _, rows, loops in steps), plan


async def test_expired_items_leave_exact_hybrid_pages_full(client, store):
    """The candidates are vectors alone and only a page's items are read: an item expired
    but not yet swept is skipped there, and the pages stay full, disjoint and in order."""
    await create_many(client, NS, dict(list(TEXTS.items())[:20]))
    async with store.pool.connection() as conn:
        await conn.execute("UPDATE store SET expires_at = now() - interval '1 second'"
                           " WHERE prefix = %s AND key = ANY(%s)",
                           (".".join(NS), ["m1", "m2", "m4", "m7"]))
    pages = [await search(client, NS, QUERY, mode="hybrid", limit=5, offset=offset)
             for offset in (0, 5, 10, 15)]
    assert [len(p) for p in pages] == [5, 5, 5, 1]
    keys = [i["key"] for p in pages for i in p]
    assert sorted(keys) == sorted(f"m{i}" for i in range(20) if i not in (1, 2, 4, 7))
    scores = [i["score"] for p in pages for i in p]
    assert scores == sorted(scores, reverse=True)
