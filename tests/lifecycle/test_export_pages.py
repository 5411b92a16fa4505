"""An export page looks up the vectors of its own items only, so a page costs the same
whatever the table's size (an EXISTS in the select list was planned as a hash of the whole
of store_vectors, rebuilt for every page: an export quadratic in the table's size)."""

import pytest

from app.repositories import lifecycle as lifecycle_sql

ROWS, PAGE = 20_000, 1000


async def vector_reads(conn, prefix: tuple[str, ...], after) -> tuple[int, int]:
    """(items on the page, store_vectors rows and index entries read for it)."""
    async with conn.transaction():
        page = await lifecycle_sql.page_after(conn, prefix, after, PAGE)
        cur = await conn.execute(
            "SELECT sum(pg_stat_get_xact_tuples_returned(c.oid)) AS n FROM pg_class c "
            "WHERE c.oid = 'store_vectors'::regclass OR c.oid IN "
            "(SELECT indexrelid FROM pg_index WHERE indrelid = 'store_vectors'::regclass)")
        return len(page), (await cur.fetchone())["n"]


@pytest.mark.parametrize("prefix, after", [((), None), ((), ("memories.t1", "k5000")),
                                           (("memories",), ("memories.t1", "k5000"))])
async def test_a_page_reads_the_vectors_of_its_items_only(app, prefix, after):
    async with app.state.runtime.pool.connection() as conn:
        # vector rows need no embedding: the lookup is by key
        await conn.execute(
            "INSERT INTO store (prefix, key, value) SELECT 'memories.t' || (i %% 20), 'k' || i, "
            "'{\"content\": \"x\"}'::jsonb FROM generate_series(1, %s) AS i", [ROWS])
        await conn.execute("INSERT INTO store_vectors (prefix, key, field_name, text) "
                           "SELECT prefix, key, 'text', 'x' FROM store")
        await conn.execute("ANALYZE store")
        await conn.execute("ANALYZE store_vectors")
        items, reads = await vector_reads(conn, prefix, after)
    assert items == PAGE
    assert reads <= PAGE  # not ROWS
