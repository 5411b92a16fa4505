"""A namespace prefix reaches the namespace and what lies below it, never its siblings.

The scope is read as one byte-wise index range, [a, a/), which also holds siblings such as
a-2 or a! ('-' and '!' sort before '.'); these must still be left out, in every search mode,
on both search paths, and in a listing without a query. Siblings after the range (a0, a_x)
and LIKE wildcards in the name (a%) must not leak in either.
"""

import pytest

MODES = ["semantic", "hybrid", "keyword"]
TEXT = "The user keeps a blue bicycle in the garden shed"


def namespaces(ns: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    base, last = ns[:-1], ns[-1] + "u"
    inside = {"self": (*base, last), "child": (*base, last, "c"),
              "grandchild": (*base, last, "c", "d")}
    siblings = {name: (*base, last + suffix) for name, suffix in
                [("dash", "-2"), ("bang", "!"), ("space", " x"), ("slash", "/x"),
                 ("zero", "0"), ("underscore", "_x"), ("percent", "%")]}
    return {**inside, **siblings}


INSIDE = {"self", "child", "grandchild"}


@pytest.fixture
async def scoped(service, ns):
    spaces = namespaces(ns)
    # v1 refuses '/' in a label (its query strings read '/' as a path); LangGraph's /store
    # takes it, and '/' is the byte right after '.', the edge of the scope's range.
    slash = spaces.pop("slash")
    created = await service.client.post("/v1/memories/batch", json={"items": [
        {"namespace": list(space), "key": name, "content": TEXT}
        for name, space in spaces.items()]})
    assert created.status_code == 201, created.text
    put = await service.client.put("/store/items", json={
        "namespace": list(slash), "key": "slash",
        "value": {"kind": "Memory", "content": {"content": TEXT}}})
    assert put.status_code == 204, put.text
    return spaces["self"]


@pytest.mark.parametrize("mode", MODES)
async def test_search_stays_inside_the_prefix(service, scoped, mode):
    found = await service.client.post("/v1/search", json={
        "query": "blue bicycle", "mode": mode, "namespace_prefix": list(scoped),
        "limit": 20})
    assert found.status_code == 200, found.text
    assert {i["key"] for i in found.json()["items"]} == INSIDE


async def test_listing_stays_inside_the_prefix(service, scoped):
    found = await service.client.post("/v1/search", json={
        "namespace_prefix": list(scoped), "limit": 20})
    assert found.status_code == 200, found.text
    assert {i["key"] for i in found.json()["items"]} == INSIDE
