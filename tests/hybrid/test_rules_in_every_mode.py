"""The search rules hold in every mode: full pages, disjoint pages that cover every match,
numeric filters, namespace prefixes, a small tenant in a big table, nothing outside the
namespaces searched. Hybrid pages are exactly the pages of one ranking, however few
candidates each leg fetches."""

import itertools
import math

import pytest

from app.repositories import coverage_search as coverage_sql
from tests.hybrid.helpers import MODES, app_client, create_many, search

NS = ("memories", "pat")
SUBJECTS = ["Alice", "Bob", "The user", "Grandma", "Our team"]
VERBS = ["likes", "is learning", "talks about", "wants to buy", "writes about"]
TOPICS = ["dark roast coffee", "mountain hiking", "vintage cameras", "sourdough bread",
          "jazz piano", "electric cars", "chess openings", "tropical fish", "board games"]
TEXTS = {f"m{i:02d}": f"{s} {v} {t}" for i, (s, v, t) in enumerate(
    itertools.islice(itertools.product(SUBJECTS, VERBS, TOPICS), 2, 225, 5))}  # 45 items
QUERY = "Who is into coffee or hiking?"


def matching(query_words: set[str]) -> set[str]:
    return {k for k, t in TEXTS.items() if any(w in t for w in query_words)}


KEYWORD_MATCHES = matching({"coffee", "hiking"})


async def pages(client, prefix, query, mode, limit, *, filter=None, extra_pages=1):
    out, offset = [], 0
    while True:
        page = await search(client, prefix, query, mode=mode, limit=limit, offset=offset,
                            filter=filter)
        out.append(page)
        if len(page) < limit:
            extra_pages -= 1
            if extra_pages < 0:
                return out
        offset += limit


def check_paging(all_pages: list[list[dict]], limit: int, expected: set[str], *,
                 monotone: bool = True) -> None:
    sizes = [len(p) for p in all_pages]
    full, rest = divmod(len(expected), limit)
    assert sizes[:full] == [limit] * full, sizes  # every page full while matches remain
    keys = [i["key"] for p in all_pages for i in p]
    assert len(keys) == len(set(keys)), "an item on two pages"
    assert set(keys) == expected
    if monotone:  # one ranking across pages (exact searches)
        scores = [i["score"] for p in all_pages for i in p]
        assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("limit", [1, 7, 45])
async def test_disjoint_full_pages_cover_every_match(client, mode, limit):
    await create_many(client, NS, TEXTS)
    expected = KEYWORD_MATCHES if mode == "keyword" else set(TEXTS)
    check_paging(await pages(client, NS, QUERY, mode, limit), limit, expected)


@pytest.fixture
async def small_window(settings, embedder):
    """The vector leg asked for 3 candidates per block (HYBRID_CANDIDATES): an exact
    search ranks every candidate anyway."""
    async with app_client(settings, embedder, hybrid_candidates=3) as (client, _):
        yield client


def coverage(key: str) -> float:
    """The share of QUERY's idf (coffe, hike; counted over TEXTS) TEXTS[key] holds."""
    n = len(TEXTS)
    idf = {w: math.log(1 + (n - len(matching({w})) + 0.5) / (len(matching({w})) + 0.5))
           for w in ("coffee", "hiking")}
    return sum(v for w, v in idf.items() if w in TEXTS[key]) / sum(idf.values())


async def test_hybrid_pages_are_one_exact_ranking(small_window):
    """Up to EXACT_SEARCH_THRESHOLD candidates: the fused ranking recomputed here from the
    vector leg's cosines and each item's words, and the service's pages of 4, agree item
    for item."""
    client = small_window
    await create_many(client, NS, TEXTS)
    cosine = {i["key"]: i["score"] for i in await search(client, NS, QUERY, mode="semantic",
                                                         limit=100)}
    fused = {k: 0.4 * coverage(k) + 0.6 * c for k, c in cosine.items()}
    expected = sorted(fused, key=lambda k: (-round(fused[k], 9), k))
    paged = await pages(client, NS, QUERY, "hybrid", 4)
    assert [i["key"] for p in paged for i in p] == expected
    for item in (i for p in paged for i in p):
        assert item["score"] == pytest.approx(fused[item["key"]])


@pytest.fixture
async def streamed(settings, embedder, monkeypatch):
    """Every search over the HNSW path, hybrid in blocks of 3 candidates per leg, so pages
    need several blocks. Records the depth of each keyword leg."""
    depths: list[int] = []
    original = coverage_sql.coverage_search

    async def spy(conn, terms, prefix, conditions, limit, *args):
        depths.append(limit)
        return await original(conn, terms, prefix, conditions, limit, *args)

    monkeypatch.setattr(coverage_sql, "coverage_search", spy)
    async with app_client(settings, embedder, hybrid_candidates=3,
                          exact_search_threshold=0) as (client, _):
        yield client, depths


@pytest.mark.parametrize("limit", [4, 10])
async def test_hybrid_stream_pages_are_disjoint_and_complete(streamed, limit):
    client, depths = streamed
    await create_many(client, NS, TEXTS)
    paged = await pages(client, NS, QUERY, "hybrid", limit)
    check_paging(paged, limit, set(TEXTS), monotone=False)
    assert max(depths) > min(depths)  # later pages read deeper blocks
    for page in paged:
        scores = [i["score"] for i in page]
        assert scores == sorted(scores, reverse=True)


# -- filters and prefixes ------------------------------------------------------------------

PRODUCTS = {
    "two": {"name": "pencil supplies", "price": 2},
    "ten": {"name": "notebook supplies", "price": 10},
    "four99": {"name": "eraser supplies", "price": 4.99},
    "hundred": {"name": "backpack supplies", "price": 100},
    "str5": {"name": "sticker supplies", "price": "5"},
    "unpriced": {"name": "ruler supplies"},
}
CASES = [
    ({"price": {"$gt": 4.99}}, {"ten", "hundred"}),
    ({"price": {"$gte": 4.99}}, {"four99", "ten", "hundred"}),
    ({"price": {"$lt": 10}}, {"two", "four99"}),
    ({"price": {"$gte": 2, "$lt": 10}}, {"two", "four99"}),
    ({"price": {"$ne": 4.99}}, set(PRODUCTS) - {"four99"}),
    ({"price": {"$eq": "5"}}, {"str5"}),
    ({"price": {"$lt": 1}}, set()),
]


@pytest.mark.parametrize("mode", MODES)
async def test_numeric_filters(client, mode):
    response = await client.post("/v1/memories/batch", json={"items": [
        {"namespace": list(NS), "key": k, "kind": "Product", "content": v}
        for k, v in PRODUCTS.items()]})
    assert response.status_code == 201
    for condition, expected in CASES:
        found = await search(client, NS, "school supplies", mode=mode,
                             filter={"kind": "Product", "content": condition})
        assert {i["key"] for i in found} == expected, condition
        if expected:  # a page exactly as large as the matches is full
            page = await search(client, NS, "school supplies", mode=mode, limit=len(expected),
                                filter={"content": condition})
            assert {i["key"] for i in page} == expected, condition


@pytest.mark.parametrize("mode", MODES)
async def test_namespace_prefixes(client, mode):
    placed = {("shop", "a"): "k1", ("shop", "a", "b"): "k2", ("shop", "ab"): "k3",
              ("other",): "k4", ("shop",): "k5"}
    for ns, key in placed.items():
        await create_many(client, ns, {key: f"A brass lantern for the {key} porch"})
    for prefix, expected in ((("shop", "a"), {"k1", "k2"}), (("shop",), {"k1", "k2", "k3", "k5"}),
                             (("shop", "a", "b"), {"k2"}), ((), set(placed.values()))):
        found = await search(client, prefix, "lantern", mode=mode, limit=20)
        assert {i["key"] for i in found} == expected, prefix


# -- a small tenant in a big table ---------------------------------------------------------

BACKGROUND = 3_000


@pytest.fixture
async def ann_client(settings, embedder):
    """Every vector search takes the HNSW path (as above EXACT_SEARCH_THRESHOLD)."""
    async with app_client(settings, embedder, exact_search_threshold=0) as pair:
        yield pair


async def test_small_tenant_in_a_big_table(ann_client):
    """3,000 other memories that all talk about coffee and hiking, one small tenant: its pages
    are full, disjoint, complete and its own, and its keyword scores are those of a namespace
    alone (the crowd's words do not count)."""
    client, store = ann_client
    async with store.pool.connection() as conn:
        await conn.execute(
            "INSERT INTO store (prefix, key, value) SELECT 'bg.t' || (g %% 20), 'b' || g,"
            " jsonb_build_object('content', 'coffee and hiking note ' || g)"
            " FROM generate_series(1, %s) g", (BACKGROUND,))
        await conn.execute(
            "INSERT INTO store_vectors (prefix, key, field_name, embedding, text)"
            " SELECT 'bg.t' || (g %% 20), 'b' || g, 'text', l2_normalize((SELECT"
            " array_agg(random() - 0.5) FROM generate_series(1, 384) WHERE g > 0)::vector),"
            " 'coffee and hiking note ' || g FROM generate_series(1, %s) g", (BACKGROUND,))
        await conn.execute("ANALYZE store_vectors")
    await create_many(client, NS, TEXTS)
    await create_many(client, ("control",), TEXTS)
    for mode in ("keyword", "hybrid"):
        expected = KEYWORD_MATCHES if mode == "keyword" else set(TEXTS)
        for limit in (5, 10):
            paged = await pages(client, NS, QUERY, mode, limit)
            check_paging(paged, limit, expected)
            assert {tuple(i["namespace"]) for p in paged for i in p} == {NS}
    alone = await search(client, ("control",), QUERY, mode="keyword", limit=50)
    crowded = await search(client, NS, QUERY, mode="keyword", limit=50)
    assert [(i["key"], i["score"]) for i in crowded] == [(i["key"], i["score"]) for i in alone]
