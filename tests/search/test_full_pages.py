"""(a) limit=k returns k results whenever at least k items match, up to the max page size.

The plain store runs one `ORDER BY embedding <=> q LIMIT 2k+1` and, once the table is big
enough for the planner to take the HNSW index, pgvector hands back at most hnsw.ef_search
(40) rows, fewer after the namespace filter: the page silently comes back short.
"""

import pytest

from app.config import Settings
from tests.search.bigtable import BACKGROUND, TENANT, TENANT_SIZE
from tests.search.conftest import PATHS
from tests.search.helpers import (
    QUERIES,
    ROUTES,
    ann_query_plan,
    http_searcher,
    page_problems,
    path_problems,
    plain_searcher,
    plain_store_plan,
    uses_hnsw,
)

QUERY = "Who is into dark roast coffee?"
MAX_PAGE = Settings.model_fields["max_page_size"].default  # 1000


async def test_plain_store_stops_near_40_in_a_big_namespace(big, embedder):
    """10,000 items match under bg; observed: the plain store returns 36 of 100."""
    vector = (await embedder.embed([QUERY]))[0]
    assert uses_hnsw(await plain_store_plan(big.plain, vector, BACKGROUND, 100))
    hits = await plain_searcher(big.plain)(BACKGROUND, query=QUERY, limit=100)
    assert page_problems(hits, 100), "the plain store filled the page"
    assert len(hits) <= 40


async def test_plain_store_comes_back_short_in_a_small_tenant(big, embedder):
    """500 items match under org.alice; observed: 17 of 20 queries get fewer than 10 (0 to 7),
    e.g. 4 of 10 and 4 of 20 for the query about coffee."""
    search = plain_searcher(big.plain)
    vector = (await embedder.embed([QUERY]))[0]
    for limit in (10, 20):
        assert uses_hnsw(await plain_store_plan(big.plain, vector, TENANT, limit))
        assert page_problems(await search(TENANT, query=QUERY, limit=limit), limit)
    short = [q for q in QUERIES if page_problems(await search(TENANT, query=q, limit=10), 10)]
    assert len(short) >= len(QUERIES) // 2


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("limit", [10, 100, MAX_PAGE])
async def test_page_is_full_in_a_big_namespace(big, path, route, limit, search_paths):
    search = http_searcher(big.services[path].client, route)
    hits = await search(BACKGROUND, query=QUERY, limit=limit)
    assert page_problems(hits, limit) == []
    assert all(h.namespace[0] == "bg" for h in hits)
    assert path_problems(search_paths, path) == []


@pytest.mark.parametrize("path", PATHS)
async def test_page_is_full_in_a_small_tenant(big, path, search_paths):
    search = http_searcher(big.services[path].client, "/v1/search")
    for limit in (10, 20, 100, TENANT_SIZE):
        hits = await search(TENANT, query=QUERY, limit=limit)
        assert page_problems(hits, limit) == []
        assert {h.namespace for h in hits} == {TENANT}
    assert path_problems(search_paths, path) == []


@pytest.mark.parametrize("path", PATHS)
async def test_page_is_full_with_a_value_filter(big, path, search_paths):
    """One background item in ten has group 3: the HNSW scan must read on past the rest."""
    search = http_searcher(big.services[path].client)
    hits = await search(BACKGROUND, query=QUERY, filter={"group": 3}, limit=100)
    assert page_problems(hits, 100) == []
    assert {h.value["group"] for h in hits} == {3}
    assert path_problems(search_paths, path) == []


async def test_ann_path_really_reads_the_hnsw_index(big, embedder):
    """The "ann" service's query is planned on the HNSW index under bg, and under org.alice
    at every page size (sorts are off in that query), so these
    tests measure the iterative scan and not a sort in disguise."""
    vector = (await embedder.embed([QUERY]))[0]
    tuning = big.services["ann"].store.tuning
    for prefix, limit in ((BACKGROUND, 10), (BACKGROUND, 100), (BACKGROUND, MAX_PAGE),
                          (TENANT, 10), (TENANT, 100)):
        plan = await ann_query_plan(big.pool, vector, prefix, limit,
                                    ef_search=tuning.ef_search_scoped,
                                    max_scan_tuples=tuning.max_scan_tuples)
        assert uses_hnsw(plan), (prefix, limit, plan)
