"""A tenant's exact search reads the tenant's rows, not the table.

The namespace scope is one range of a prefix index (app/repositories/conditions.py), the
candidates are counted from vectors alone, and items are fetched in rank order for the page
only: before, the count and the search each joined every candidate to its item with a hash
join over a sequential scan of the whole items table (~60 ms per statement for a tenant of
2,000 in a 100,000-row table, bench/RESULTS.md).
"""

from app.repositories import search as search_sql
from tests.search.bigtable import TENANT
from tests.search.helpers import QUERIES, _Explaining, uses_hnsw


async def test_tenant_search_scans_no_table(big, embedder):
    vector = (await embedder.embed([QUERIES[0]]))[0]
    async with big.pool.connection() as conn:
        probe = _Explaining(conn)
        assert await search_sql.count_vector_candidates(probe, TENANT, [], 20_001) == 500
        found = await search_sql.exact_vector_search(probe, vector, TENANT, [], 10, 0)
    assert len(found) == 10
    for plan in probe.plans:
        assert "Seq Scan" not in plan, plan
        assert "Hash Join" not in plan, plan
        assert not uses_hnsw(plan), plan
