"""TEXT_SEARCH_LANGUAGE: the keyword index's stemming and stop words. A server started with
another language rebuilds the index in it before its first keyword search."""

from tests.hybrid.helpers import app_client, create_many, keys, keyword_rows

NS = ("memories", "lang")
TEXTS = {"runs": "Amara runs by the canal", "corre": "Amara corre por el canal"}


async def test_english_by_default(client, store):
    await create_many(client, NS, TEXTS)
    assert await keys(client, NS, "running", mode="keyword") == ["runs"]
    assert await keys(client, NS, "the", mode="keyword") == []  # a stop word
    assert await keyword_rows(store.pool, NS, "runs") == [["amara", "canal", "run"]]


async def test_another_language_rebuilds_the_index(settings, embedder):
    async with app_client(settings, embedder, text_search_language="simple") as (client, store):
        await create_many(client, NS, TEXTS)  # written before the first search
        # 'simple' neither stems nor drops stop words
        assert await keys(client, NS, "running", mode="keyword") == []
        assert await keys(client, NS, "runs", mode="keyword") == ["runs"]
        assert set(await keys(client, NS, "the", mode="hybrid")) == set(TEXTS)
        assert await keyword_rows(store.pool, NS, "runs") == [["amara", "by", "canal", "runs",
                                                               "the"]]
        await create_many(client, NS, {"later": "The heron runs"})  # and after it
        assert await keyword_rows(store.pool, NS, "later") == [["heron", "runs", "the"]]
    async with app_client(settings, embedder, text_search_language="spanish") as (client, store):
        assert await keys(client, NS, "correr", mode="keyword") == ["corre"]
        assert await keyword_rows(store.pool, NS, "corre") == [["amar", "canal", "corr"]]


async def test_an_unknown_language_is_named(settings, embedder):
    async with app_client(settings, embedder, text_search_language="klingon") as (client, _):
        response = await client.post("/v1/search", json={"query": "x", "mode": "keyword"})
        assert response.status_code == 503
        assert "TEXT_SEARCH_LANGUAGE 'klingon'" in response.json()["detail"]
        semantic = await client.post("/v1/search", json={"query": "x", "mode": "semantic"})
        assert semantic.status_code == 200
