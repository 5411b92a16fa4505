"""(d) Filters compare numbers as numbers, skip values of another type, and descend into
nested objects.

The plain store turns `{"price": {"$gt": 4.99}}` into `value->>'price' > '4.99'`: a text
comparison, under which 10 and 100 are smaller than 4.99 and the string "5" is larger. It
reads `{"meta": {"lang": "en"}}` as an operator named "lang" and raises.
"""

import pytest
from langgraph.store.base import PutOp

from tests.search.helpers import http_searcher, path_problems, plain_searcher

NS = ("shop", "items")
ITEMS = {
    "two": {"name": "pencil", "price": 2, "meta": {"lang": "en", "stock": 0}},
    "ten": {"name": "notebook", "price": 10, "meta": {"lang": "en", "stock": 3}},
    "four99": {"name": "eraser", "price": 4.99, "meta": {"lang": "pt", "stock": 7}},
    "hundred": {"name": "backpack", "price": 100, "meta": {"lang": "pt", "stock": 1}},
    "str5": {"name": "sticker sheet", "price": "5", "meta": {"lang": "en", "stock": 9}},
    "cheap": {"name": "paper clips", "price": "cheap", "meta": {"lang": "en", "stock": 4}},
    "unpriced": {"name": "ruler", "meta": {"lang": "pt", "stock": 2}},
}
EVERY = set(ITEMS)
CASES = [
    ({"price": {"$gt": 4.99}}, {"ten", "hundred"}),
    ({"price": {"$gte": 4.99}}, {"four99", "ten", "hundred"}),
    ({"price": {"$lt": 10}}, {"two", "four99"}),
    ({"price": {"$lte": 10}}, {"two", "four99", "ten"}),
    ({"price": {"$gte": 2, "$lt": 10}}, {"two", "four99"}),
    ({"price": {"$gt": 4, "$lte": 100}}, {"four99", "ten", "hundred"}),
    ({"price": {"$ne": 4.99}}, EVERY - {"four99"}),  # as LangGraph's InMemoryStore: no price
    ({"price": 10}, {"ten"}),
    ({"price": {"$eq": "5"}}, {"str5"}),
    ({"meta": {"lang": "en"}}, {"two", "ten", "str5", "cheap"}),
    ({"meta": {"stock": {"$gt": 2}}}, {"ten", "four99", "str5", "cheap"}),
    ({"meta": {"lang": "pt", "stock": {"$lte": 2}}}, {"hundred", "unpriced"}),
    ({"price": {"$gt": 4.99}, "meta": {"lang": "en"}}, {"ten"}),
    ({"price": {"$lt": 1}}, set()),
]
QUERY = "school supplies"


async def test_plain_store_compares_numbers_as_text(plain):
    await plain.abatch([PutOp(NS, key, value) for key, value in ITEMS.items()])
    search = plain_searcher(plain)
    for query in (None, QUERY):
        found = {h.key for h in await search(NS, query=query, filter={"price": {"$gt": 4.99}},
                                             limit=10)}
        assert found != {"ten", "hundred"}
        assert found == {"str5", "cheap"}  # '5' > '4.99' and 'cheap' > '4.99' as text
        lt = {h.key for h in await search(NS, query=query, filter={"price": {"$lt": 10}},
                                          limit=10)}
        assert "two" not in lt  # '2' > '10' as text
    with pytest.raises(ValueError, match="Unsupported operator"):
        await search(NS, filter={"meta": {"lang": "en"}})


async def test_filters_through_the_store_api(service, ns, search_paths):
    for key, value in ITEMS.items():
        put = await service.client.put("/store/items", json={"namespace": list(ns), "key": key,
                                                             "value": value})
        assert put.status_code == 204, put.text
    search = http_searcher(service.client)
    for filter, expected in CASES:
        listed = await search(ns, filter=filter, limit=10)
        assert {h.key for h in listed} == expected, filter
        ranked = await search(ns, query=QUERY, filter=filter, limit=10)
        assert {h.key for h in ranked} == expected, filter
        if expected:
            # a page exactly as large as the matches is full too
            page = await search(ns, query=QUERY, filter=filter, limit=len(expected))
            assert {h.key for h in page} == expected, filter
    assert path_problems(search_paths, service.path) == []


async def test_nested_numeric_filters_through_v1(service, ns, search_paths):
    """v1 memories keep their fields under "content", so every v1 filter is a nested one."""
    created = await service.client.post("/v1/memories/batch", json={"items": [
        {"namespace": list(ns), "key": key, "kind": "Product", "content": value}
        for key, value in ITEMS.items()]})
    assert created.status_code == 201, created.text
    search = http_searcher(service.client, "/v1/search")
    for filter, expected in CASES:
        nested = {"content": filter, "kind": "Product"}
        for query in (None, QUERY):
            found = await search(ns, query=query, filter=nested, limit=10)
            assert {h.key for h in found} == expected, (filter, query)
    assert path_problems(search_paths, service.path) == []


async def test_unknown_operator_is_a_client_error(service, ns):
    response = await service.client.post("/v1/search", json={
        "namespace_prefix": list(ns), "query": QUERY, "filter": {"price": {"$near": 5}}})
    assert response.status_code == 422
