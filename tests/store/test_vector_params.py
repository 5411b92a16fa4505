"""Vectors reach Postgres in pgvector's binary form (app/repositories/vectors.py): what a
put stores is the model's float32 output bit for bit, and a search's query vector is the
same one, so an item searched by its own text scores a cosine of 1."""

import numpy as np
import psycopg
from langgraph.store.base import SearchOp
from psycopg.adapt import AdaptersMap
from psycopg.rows import dict_row

from app.repositories import search as search_sql
from app.repositories.vectors import Vector

NS = ("memories", "vp")
TEXTS = ["Ana adopted a greyhound in May", "the deploy runs at 6 am", "tea, not coffee"]


async def test_a_put_stores_the_models_vector_bit_for_bit(store, embedder, database_url):
    for i, text in enumerate(TEXTS):
        await store.aput(NS, f"k{i}", {"content": text})
    expected = np.asarray(await embedder.embed(TEXTS), dtype=np.float32)
    with psycopg.connect(database_url) as conn:
        stored = dict(conn.execute("SELECT key, embedding::text FROM store_vectors "
                                   "WHERE prefix = 'memories.vp'").fetchall())
    for i in range(len(TEXTS)):
        got = np.array(stored[f"k{i}"].strip("[]").split(","), dtype=np.float32)
        assert np.array_equal(got, expected[i]), i


async def test_an_item_searched_by_its_own_text_comes_first_at_cosine_one(store):
    for i, text in enumerate(TEXTS):
        await store.aput(NS, f"k{i}", {"content": text})
    for mode in ("semantic", "hybrid"):
        found = await store.search_items(SearchOp(NS, query=TEXTS[1], limit=3), mode=mode)
        assert found[0].key == "k1", mode
        if mode == "semantic":
            assert abs(found[0].score - 1.0) < 1e-6


async def test_a_connection_opened_before_the_dumper_was_registered_still_searches(
        store, embedder, database_url):
    """LangGraph code may open its pool before importing MemoryStore: its connections keep
    the adapters of that moment, without ours."""
    await store.aput(NS, "k1", {"content": TEXTS[1]})
    vector = (await embedder.embed([TEXTS[1]]))[0]
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True,
                                                     row_factory=dict_row) as conn:
        conn._adapters = AdaptersMap(psycopg.postgres.adapters)  # as psycopg makes it...
        conn._adapters._dumpers = {fmt: dict(d) for fmt, d in conn._adapters._dumpers.items()}
        for dumpers in conn._adapters._dumpers.values():  # ...before our module was imported
            dumpers.pop(Vector, None)
        found = await search_sql.exact_vector_search(conn, vector, NS, [], 3, 0)
    assert found[0].key == "k1" and abs(found[0].score - 1.0) < 1e-6
