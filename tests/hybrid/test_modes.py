"""The three modes: what each finds, what its score means, which mode each door gets."""

import math

import pytest
from langgraph.store.base import SearchOp

from tests.hybrid.helpers import MODES, app_client, create_many, keys, search

NS = ("memories", "ana")

# A long memory that mentions a rare name once, among short ones that are all about people.
RENOVATION = ("Kitchen renovation notes: the cabinets arrive in March, the worktop is oak, the "
              "old sink goes to the recycling centre, the electrician rewires the hob circuit "
              "first, and the tiler Zvonimir quoted for the splashback; budget is tight so the "
              "user wants to keep the fridge.")
PEOPLE = {
    "sister": "The user's sister is called Maria",
    "neighbour": "The user's neighbour Tom walks his dog every morning",
    "manager": "The user's manager is named Sarah",
    "friend": "The user's best friend Ahmed lives in Leeds",
    "dentist": "The user's dentist is Dr. Patel",
    "son": "The user's son Leo plays football",
    "colleague": "The user's colleague Jana sends long emails",
    "carlos": "The user met Carlos at a conference",
    "cousin": "The user's cousin Ingrid is a nurse",
    "landlord": "The user's landlord is Mr. Evans",
    "teacher": "The user's piano teacher is named Olga",
    "plumber": "The user's plumber is called Dave",
}


async def test_keyword_mode_finds_a_rare_name_the_vector_leg_ranks_poorly(client):
    await create_many(client, NS, {"renovation": RENOVATION, **PEOPLE})
    query = "Who is Zvonimir?"
    semantic = await keys(client, NS, query, mode="semantic", limit=20)
    assert semantic.index("renovation") >= 4  # observed: 10th of 13
    assert await keys(client, NS, query, mode="keyword") == ["renovation"]
    assert (await keys(client, NS, query, mode="hybrid"))[0] == "renovation"


async def test_a_question_matches_on_any_of_its_words(client):
    await create_many(client, NS, {
        "said": "Priya said the Lisbon trip in May was lovely",
        "moved": "Priya moved to Lisbon",
        "trip": "The trip is planned for May",
        "cheese": "Bob likes cheese",
        "empty": "Nothing to see here at all",
    })
    found = await keys(client, NS, "What did Priya say about the Lisbon trip in May?",
                       mode="keyword")
    assert found[0] == "said"  # holds every word: priya, say, lisbon, trip, may
    assert set(found) == {"said", "moved", "trip"}
    # only stop words: nothing to match on, nothing found
    assert await keys(client, NS, "what is it about?", mode="keyword") == []


async def test_stemming_and_stop_words(client):
    await create_many(client, NS, {"runs": "Amara runs every morning by the canal",
                                   "the": "The the the of and"})
    assert await keys(client, NS, "running", mode="keyword") == ["runs"]
    assert await keys(client, NS, "the of and", mode="keyword") == []


async def test_unknown_mode_is_a_client_error(client):
    response = await client.post("/v1/search", json={"query": "x", "mode": "fuzzy"})
    assert response.status_code == 422
    assert "'hybrid', 'semantic' or 'keyword'" in response.text


# -- scores --------------------------------------------------------------------------------

BM25_TEXTS = {"a": "apple banana", "b": "apple cherry cherry", "c": "banana date egg fig"}


def idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def bm25(tf: int, df: int, n: int, length: int, avg: float, k1=1.2, b=0.75) -> float:
    return idf(df, n) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg))


async def test_keyword_score_is_bm25_over_the_searched_namespace(client):
    await create_many(client, NS, BM25_TEXTS)
    await create_many(client, ("other",), {"x": "apple apple apple cherry", "y": "cherry"})
    found = {i["key"]: i["score"] for i in await search(client, NS, "apples and cherries",
                                                         mode="keyword")}
    # lexemes appl, banana / appl, cherri x2 / banana, date, egg, fig: N 3, mean length 3
    assert found["a"] == pytest.approx(bm25(1, 2, 3, 2, 3.0))
    assert found["b"] == pytest.approx(bm25(1, 2, 3, 3, 3.0) + bm25(2, 1, 3, 3, 3.0))
    assert list(found) == ["b", "a"]


async def test_semantic_score_is_cosine_and_hybrid_fuses_both(client, embedder):
    await create_many(client, NS, BM25_TEXTS)
    query = "apples and cherries"
    semantic = {i["key"]: i["score"] for i in await search(client, NS, query, mode="semantic")}
    vectors = await embedder.embed([query, *BM25_TEXTS.values()])
    for key, vector in zip(BM25_TEXTS, vectors[1:], strict=True):
        assert semantic[key] == pytest.approx(sum(x * y for x, y in zip(vectors[0], vector,
                                                                      strict=True)), abs=1e-5)
    hybrid = await search(client, NS, query, mode="hybrid")
    # The share of the query's idf each holds: appl (in a, b), cherri (in b); N = 3.
    apple, cherry = idf(2, 3), idf(1, 3)
    coverage = {"a": apple / (apple + cherry), "b": 1.0, "c": 0.0}
    assert {i["key"] for i in hybrid} == set(BM25_TEXTS)
    for item in hybrid:  # the default weights, 0.4 and 0.6
        expected = 0.4 * coverage[item["key"]] + 0.6 * semantic[item["key"]]
        assert item["score"] == pytest.approx(expected)
    assert [i["score"] for i in hybrid] == sorted((i["score"] for i in hybrid), reverse=True)


# -- which mode each door gets -------------------------------------------------------------


def ranked(items: list[dict]) -> list[tuple[str, float]]:
    return [(i["key"], i["score"]) for i in items]


@pytest.fixture
async def keyword_default(settings, embedder):
    async with app_client(settings, embedder, search_default_mode="keyword") as (client, _):
        yield client


async def test_doors_without_a_mode_get_the_server_default(keyword_default):
    await create_many(keyword_default, NS, {"renovation": RENOVATION, **PEOPLE})
    query = "Who is Zvonimir?"
    explicit = ranked(await search(keyword_default, NS, query, mode="keyword"))
    assert [key for key, _ in explicit] == ["renovation"]
    for route in ("/store/items/search", "/v1/search"):
        assert ranked(await search(keyword_default, NS, query, route=route)) == explicit, route


async def test_a_hybrid_default_reaches_every_door(settings, embedder):
    async with app_client(settings, embedder, search_default_mode="hybrid") as (client, _):
        await create_many(client, NS, {"renovation": RENOVATION, **PEOPLE})
        query = "Who is Zvonimir?"
        hybrid = ranked(await search(client, NS, query, mode="hybrid"))
        for route in ("/store/items/search", "/v1/search"):
            assert ranked(await search(client, NS, query, route=route)) == hybrid, route
        assert ranked(await search(client, NS, query, mode="semantic")) != hybrid


async def test_out_of_the_box_doors_get_the_settings_default(client, settings):
    await create_many(client, NS, {"renovation": RENOVATION, **PEOPLE})
    query = "Who is Zvonimir?"
    default = ranked(await search(client, NS, query, mode=settings.search_default_mode))
    for route in ("/store/items/search", "/v1/search"):
        assert ranked(await search(client, NS, query, route=route)) == default, route


@pytest.mark.parametrize("mode", MODES)
async def test_no_query_lists_whatever_the_mode(client, mode):
    await create_many(client, NS, BM25_TEXTS)
    listed = await search(client, NS, None, mode=mode)
    assert {i["key"] for i in listed} == set(BM25_TEXTS)
    assert all(i["score"] is None for i in listed)


async def test_memory_store_in_process_searches_like_every_door(client, store):
    """LangGraph code using MemoryStore in process (abatch, no mode) gets what a door
    without a mode gets: both take the one default, Settings' (it was semantic in process,
    hybrid over HTTP)."""
    await create_many(client, NS, {"renovation": RENOVATION, **PEOPLE})
    query = "Who is Zvonimir?"
    door = ranked(await search(client, NS, query, route="/store/items/search"))
    [in_process] = await store.abatch([SearchOp(NS, None, 10, 0, query)])
    assert [(i.key, i.score) for i in in_process] == door
