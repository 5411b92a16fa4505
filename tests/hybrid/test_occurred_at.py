"""A memory may carry the date of what it describes (`occurred_at`, ISO 8601): it is stored
in the value and indexed with the text ("[Saturday 13 May 2023] ..."), so a question naming
the date finds it in every mode; v1 refuses a date that does not parse, naming the rule."""

import json

import pytest

from tests.hybrid.helpers import app_client, create, keys, keyword_rows, search, store_put

NS = ("memories", "dated")
SAME = "Ana: we finally went to the lake with the kids"


async def _two_trips(client) -> None:
    await create(client, NS, "may", SAME, occurred_at="2023-05-13")
    await create(client, NS, "june", SAME, occurred_at="2023-06-21T09:30:00+02:00")


@pytest.mark.parametrize("mode", ["keyword", "hybrid", "semantic"])
async def test_a_question_naming_the_date_finds_the_memory_of_that_date(client, mode):
    await _two_trips(client)
    # The same words, told on two days: only the date tells them apart.
    assert (await keys(client, NS, "What did Ana do in May 2023?", mode=mode))[0] == "may"
    assert (await keys(client, NS, "what happened on 21 June?", mode=mode))[0] == "june"


async def test_the_date_is_kept_in_the_value_and_indexed_in_words(client, store):
    await _two_trips(client)
    got = (await client.get("/v1/memories/june", params={"namespace": "memories.dated"})).json()
    assert got["value"]["occurred_at"] == "2023-06-21T09:30:00+02:00"  # as given
    assert got["value"]["content"] == {"content": SAME}
    lexemes = (await keyword_rows(store.pool, NS, "june"))[0]
    assert {"wednesday", "21", "june", "2023"} <= set(lexemes)  # its own offset's day


async def test_replacing_without_a_date_drops_it_from_the_index(client, store):
    await _two_trips(client)
    replaced = await client.put("/v1/memories/may", params={"namespace": "memories.dated"},
                                json={"content": SAME})
    assert replaced.status_code == 200, replaced.text
    assert "occurred_at" not in replaced.json()["value"]
    assert "may" not in (await keyword_rows(store.pool, NS, "may"))[0]


@pytest.mark.parametrize("bad", ["last week", "13/05/2023", "2023-13-01", ""])
async def test_a_date_that_does_not_parse_is_a_422_naming_the_rule(client, bad):
    body = {"namespace": list(NS), "key": "k", "content": "x", "occurred_at": bad}
    created = await client.post("/v1/memories", json=body)
    assert created.status_code == 422
    assert "occurred_at must be an ISO 8601 date or date-time" in created.text
    batch = await client.post("/v1/memories/batch", json={"items": [
        {"namespace": list(NS), "content": "fine"}, body]})
    assert batch.status_code == 422
    page = await client.get("/v1/memories", params={"namespace": "memories.dated"})
    assert page.json()["items"] == []  # all or nothing


async def test_store_items_carry_it_too_and_stay_permissive(client, store):
    await store_put(client, NS, "lm", {"kind": "Memory", "content": {"content": SAME},
                                       "occurred_at": "2023-05-13"})
    await store_put(client, NS, "odd", {"content": SAME, "occurred_at": "last spring"})
    assert (await keys(client, NS, "Saturday 13 May", mode="keyword")) == ["lm"]
    # A value whose occurred_at is not a date is stored as LangGraph would, its text alone.
    assert "spring" not in (await keyword_rows(store.pool, NS, "odd"))[0]
    found = await search(client, NS, "lake", route="/store/items/search")
    assert {i["key"] for i in found} == {"lm", "odd"}


async def test_export_and_import_round_trip_the_date(client):
    await _two_trips(client)
    exported = (await client.get("/v1/export", params={"prefix": "memories.dated"})).text
    assert (await client.post("/v1/forget", json={"namespace_prefix": list(NS)})
            ).status_code == 200
    assert await keys(client, NS, "May 2023", mode="keyword") == []
    imported = await client.post("/v1/import", content=exported.encode(),
                                 headers={"content-type": "application/x-ndjson"})
    assert imported.status_code == 200, imported.text
    lines = {x["key"]: x for x in map(json.loads, exported.splitlines())}
    assert lines["may"]["value"]["occurred_at"] == "2023-05-13"
    assert (await keys(client, NS, "May 2023", mode="keyword"))[0] == "may"


CUE_TEXTS = {  # (content, occurred_at): the words favour the distractors
    "may": ("Ana: I started pottery classes", "2023-05-20"),
    "echo": ("Ana: what was I up to in May 2023? I keep forgetting", "2024-01-10"),
    "recap": ("Ana: May 2023 was a blur, what was I even up to", "2023-09-02"),
}


@pytest.mark.parametrize("threshold", [20_000, 0])  # exact SQL, and the streamed path
async def test_a_month_named_in_the_question_brings_that_months_memories_first(
        settings, embedder, threshold):
    async with app_client(settings, embedder, exact_search_threshold=threshold) as (client, _):
        for key, (content, day) in CUE_TEXTS.items():
            await create(client, NS, key, content, occurred_at=day)
        found = await search(client, NS, "What was Ana up to in May 2023?", mode="hybrid")
        assert found[0]["key"] == "may"
        # without a month named, the words decide as before
        assert (await keys(client, NS, "what was Ana up to?", mode="hybrid"))[0] != "may"
