"""(e) Once an item's text changes, or it is written again with index=False, nothing in search
still matches its old text; a deleted item leaves search altogether.

The plain store only ever upserts vectors for the fields it indexes now: `index=False` writes
none and leaves the old one in place, and a narrower `index=[...]` leaves the vectors of the
fields it no longer names. Searching the old text still finds the item, at the old score.
"""

import math

from langgraph.store.postgres import AsyncPostgresStore

from tests.search.conftest import plain_index
from tests.search.helpers import ROUTES, http_searcher, path_problems, plain_searcher

NS = ("memories", "dave")
OLD = "The user is allergic to peanuts"
NEW = "The user's favourite colour is teal"
BODY = "Remember to check the ingredients list"
OLD_QUERY = "peanut allergy"
OTHERS = {"o1": "The user drives an electric car", "o2": "The user plays jazz piano on weekends"}


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


async def score_of(search, ns: tuple[str, ...], key: str) -> float | None:
    hits = await search(ns, query=OLD_QUERY, limit=10)
    return next((h.score for h in hits if h.key == key), None)


async def expected_score(embedder, text: str) -> float:
    text_vector, query_vector = await embedder.embed([text, OLD_QUERY])
    return cosine(text_vector, query_vector)


async def vector_rows(pool, ns: tuple[str, ...], key: str) -> list[tuple[str, str | None]]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT field_name, text FROM store_vectors WHERE prefix = %s AND key = %s",
            (".".join(ns), key))
        return [(r["field_name"], r["text"]) for r in await cur.fetchall()]


# -- the plain store ----------------------------------------------------------------------


async def test_plain_store_keeps_the_old_vector_after_index_false(plain):
    search = plain_searcher(plain)
    await plain.aput(NS, "k", {"content": OLD})
    before = await score_of(search, NS, "k")
    await plain.aput(NS, "k", {"content": NEW}, index=False)
    after = await score_of(search, NS, "k")
    assert after is not None, "the plain store dropped the vector"
    assert math.isclose(after, before, abs_tol=1e-6)  # still ranked by the old text
    assert (await plain.aget(NS, "k")).value == {"content": NEW}


async def test_plain_store_keeps_vectors_of_fields_it_no_longer_indexes(plain):
    search = plain_searcher(plain)
    await plain.aput(NS, "k", {"title": OLD, "body": BODY})
    before = await score_of(search, NS, "k")
    await plain.aput(NS, "k", {"title": NEW, "body": BODY}, index=["body"])
    after = await score_of(search, NS, "k")
    assert after is not None
    assert math.isclose(after, before, abs_tol=1e-6)  # the "$" vector of the old value answers


# -- our service --------------------------------------------------------------------------


async def put(client, ns: tuple[str, ...], key: str, value: dict, **extra) -> None:
    response = await client.put("/store/items", json={"namespace": list(ns), "key": key,
                                                      "value": value, **extra})
    assert response.status_code == 204, response.text


async def create_memory(client, ns: tuple[str, ...], key: str, content: str) -> None:
    response = await client.post("/v1/memories", json={"namespace": list(ns), "key": key,
                                                       "content": content})
    assert response.status_code == 201, response.text


async def replace_memory(client, ns: tuple[str, ...], key: str, **body) -> None:
    response = await client.put(f"/v1/memories/{key}", params={"namespace": ".".join(ns)},
                                json=body)
    assert response.status_code == 200, response.text


async def put_others(client, ns: tuple[str, ...]) -> None:
    for key, text in OTHERS.items():
        await put(client, ns, key, {"content": text})


async def test_changed_text_is_searched_by_its_new_words(service, ns, embedder, search_paths):
    await put_others(service.client, ns)
    search = http_searcher(service.client)
    await put(service.client, ns, "k", {"content": OLD})
    old_score = await score_of(search, ns, "k")
    assert math.isclose(old_score, await expected_score(embedder, OLD), abs_tol=1e-4)

    await put(service.client, ns, "k", {"content": NEW})
    new_score = await score_of(search, ns, "k")
    assert math.isclose(new_score, await expected_score(embedder, NEW), abs_tol=1e-4)
    assert new_score < old_score - 0.3
    assert await vector_rows(service.store.pool, ns, "k") == [("text", NEW)]
    assert path_problems(search_paths, service.path) == []


async def test_changed_v1_memory_is_searched_by_its_new_words(service, ns, embedder):
    await create_memory(service.client, ns, "k", OLD)
    search = http_searcher(service.client, "/v1/search")
    old_score = await score_of(search, ns, "k")
    await replace_memory(service.client, ns, "k", content=NEW)
    new_score = await score_of(search, ns, "k")
    assert math.isclose(new_score, await expected_score(embedder, NEW), abs_tol=1e-4)
    assert new_score < old_score - 0.3


async def test_index_false_takes_the_item_out_of_search(service, ns):
    await put_others(service.client, ns)
    await put(service.client, ns, "k", {"content": OLD})
    assert await score_of(http_searcher(service.client), ns, "k") is not None
    await put(service.client, ns, "k", {"content": NEW}, index=False)
    for route in ROUTES:
        hits = await http_searcher(service.client, route)(ns, query=OLD_QUERY, limit=100)
        assert {h.key for h in hits} == set(OTHERS), route
    assert await vector_rows(service.store.pool, ns, "k") == []
    listed = await http_searcher(service.client)(ns, limit=10)  # kept, listed without a query
    assert {h.key for h in listed} == {"k", *OTHERS}


async def test_v1_memory_replaced_with_index_false_leaves_search(service, ns):
    await create_memory(service.client, ns, "k", OLD)
    search = http_searcher(service.client, "/v1/search")
    assert await score_of(search, ns, "k") is not None
    await replace_memory(service.client, ns, "k", content=OLD, index=False)
    assert await score_of(search, ns, "k") is None
    assert await vector_rows(service.store.pool, ns, "k") == []


async def test_narrower_index_fields_leave_no_stale_vector(service, ns, embedder):
    await put(service.client, ns, "k", {"title": OLD, "body": BODY})
    await put(service.client, ns, "k", {"title": NEW, "body": BODY}, index=["body"])
    score = await score_of(http_searcher(service.client), ns, "k")
    assert math.isclose(score, await expected_score(embedder, BODY), abs_tol=1e-4)
    assert await vector_rows(service.store.pool, ns, "k") == [("text", BODY)]


async def test_rewrite_replaces_a_vector_the_plain_store_wrote(service, ns, embedder):
    """The same tables, the plain store writing first: our write leaves one fresh vector."""
    plain = AsyncPostgresStore(service.store.pool, index=plain_index(embedder))
    await plain.aput(ns, "k", {"content": OLD})
    assert [f for f, _ in await vector_rows(service.store.pool, ns, "k")] == ["$"]
    await service.store.aput(ns, "k", {"content": NEW})
    assert await vector_rows(service.store.pool, ns, "k") == [("text", NEW)]
    score = await score_of(http_searcher(service.client), ns, "k")
    assert math.isclose(score, await expected_score(embedder, NEW), abs_tol=1e-4)


async def test_deleted_items_leave_search(service, ns):
    await put_others(service.client, ns)
    search = http_searcher(service.client)
    await put(service.client, ns, "k", {"content": OLD})
    await create_memory(service.client, ns, "m", OLD)
    assert await score_of(search, ns, "k") is not None
    assert await score_of(search, ns, "m") is not None
    deleted = await service.client.request("DELETE", "/store/items",
                                           json={"namespace": list(ns), "key": "k"})
    assert deleted.status_code == 204
    gone = await service.client.delete("/v1/memories/m", params={"namespace": ".".join(ns)})
    assert gone.status_code == 204
    for route in ROUTES:
        hits = await http_searcher(service.client, route)(ns, query=OLD_QUERY, limit=100)
        assert {h.key for h in hits} == set(OTHERS), route
    assert await vector_rows(service.store.pool, ns, "k") == []
    assert await vector_rows(service.store.pool, ns, "m") == []
