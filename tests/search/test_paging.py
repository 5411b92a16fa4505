"""(b) Paging a semantic search (offset 0, 10, 20, ...) returns disjoint pages that together
cover every match.

The plain store ranks only its first `2 * limit + 1` candidates and applies OFFSET after
that, so every page past offset 2 * limit + 1 is empty, however many items match; on a big
table the HNSW index (40 rows) cuts it shorter still.
"""

import pytest
from langgraph.store.base import PutOp

from tests.search.bigtable import TENANT, TENANT_SIZE
from tests.search.conftest import PATHS
from tests.search.helpers import (
    ROUTES,
    http_searcher,
    page_through,
    paging_problems,
    path_problems,
    plain_searcher,
    sentences,
)

QUERIES = ["food allergies", "morning routine"]
SMALL_NS = ("memories", "carol")
SMALL_TEXTS = {f"s{i:02d}": text for i, text in enumerate(sentences(seed=3, n=30))}


def pages_needed(matching: int, limit: int) -> int:
    return matching // limit + 1  # every match, then one page past the end


@pytest.mark.parametrize("limit", [10, 50])
async def test_plain_store_pages_stop_early_on_the_big_table(big, limit):
    """Observed: pages of 10 cover 3 of the 500 tenant items (3, then nothing); pages of 50
    cover 101 (50, 50, 1, then nothing)."""
    search = plain_searcher(big.plain)
    pages = await page_through(search, TENANT, QUERIES[0], limit,
                               pages_needed(TENANT_SIZE, limit))
    assert paging_problems(pages, big.tenant_texts)
    assert sum(len(p) for p in pages) <= 2 * limit + 1


async def test_plain_store_pages_stop_early_on_a_small_table(plain):
    """No HNSW here (30 rows): pages at offset 0 and 10 are full, 20 holds one item, 30 none."""
    await plain.abatch([PutOp(SMALL_NS, key, {"content": text})
                        for key, text in SMALL_TEXTS.items()])
    pages = await page_through(plain_searcher(plain), SMALL_NS, QUERIES[0], 10, 4)
    assert paging_problems(pages, SMALL_TEXTS)
    assert [len(p) for p in pages] == [10, 10, 1, 0]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("route", "limit"), [(ROUTES[0], 10), (ROUTES[1], 50)])
async def test_pages_cover_a_tenant_in_the_big_table(big, path, route, limit, search_paths):
    """Every one of org.alice's 500 items, each exactly once, on the exact and HNSW paths.

    Pages of 10 on the HNSW path are the interesting case: the planner runs the first page
    (LIMIT 10) on the HNSW index and later pages (LIMIT 20 and up) as a sort, and a page the
    scan cannot fill is redone exactly; pages from different rankings must still fit."""
    search = http_searcher(big.services[path].client, route)
    for query in QUERIES:
        pages = await page_through(search, TENANT, query, limit, pages_needed(TENANT_SIZE, limit))
        assert paging_problems(pages, big.tenant_texts) == [], query
        assert [len(p) for p in pages] == [limit] * (TENANT_SIZE // limit) + [0]
    assert path_problems(search_paths, path) == []


@pytest.mark.parametrize("limit", [7, 10])
async def test_pages_cover_a_small_namespace(service, ns, limit, search_paths):
    created = await service.client.post("/v1/memories/batch", json={"items": [
        {"namespace": list(ns), "key": key, "content": text}
        for key, text in SMALL_TEXTS.items()]})
    assert created.status_code == 201, created.text
    for route in ROUTES:
        pages = await page_through(http_searcher(service.client, route), ns, QUERIES[0],
                                   limit, pages_needed(len(SMALL_TEXTS), limit))
        assert paging_problems(pages, SMALL_TEXTS) == [], route
    assert path_problems(search_paths, service.path) == []
