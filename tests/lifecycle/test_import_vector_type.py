"""An import batch's vectors go as one binary `vector[]` headed by the vector type's oid:
looked up once per connection (it was a round trip every batch), and every vector still
lands bit for bit, on any connection."""

import numpy as np
import psycopg
from psycopg.rows import dict_row

from app.domain.bulk import Row
from app.repositories import bulk_import as bulk_sql

NS = ("memories", "vt")


class StatementLog:
    """The connection, with the SQL of every statement it runs recorded."""

    def __init__(self, conn) -> None:
        self.conn, self.statements = conn, []

    def __getattr__(self, name):
        return getattr(self.conn, name)

    async def execute(self, query, params=None):
        self.statements.append(str(query))
        return await self.conn.execute(query, params)


def rows(start: int, n: int, vectors: np.ndarray) -> list[Row]:
    return [Row(NS, f"k{i}", {"content": f"fact {i}"}, None, f"fact {i}", None, None,
                existed=False, embedding=vectors[i].tolist()) for i in range(start, start + n)]


async def test_the_vector_type_is_looked_up_once_per_connection(database_url):
    vectors = np.random.default_rng(7).standard_normal((40, 384)).astype(np.float32)
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as c:
        conn = StatementLog(c)
        for batch in range(3):
            async with c.transaction():
                await bulk_sql.write(conn, rows(10 * batch, 10, vectors))
    assert sum("regtype" in s for s in conn.statements) == 1
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as c:
        other = StatementLog(c)  # a new connection looks it up for itself
        async with c.transaction():
            await bulk_sql.write(other, rows(30, 10, vectors))
    assert sum("regtype" in s for s in other.statements) == 1

    with psycopg.connect(database_url) as conn:
        stored = dict(conn.execute("SELECT key, embedding::text FROM store_vectors "
                                   "WHERE prefix = 'memories.vt'").fetchall())
    assert len(stored) == 40
    for i in range(40):
        got = np.array(stored[f"k{i}"].strip("[]").split(","), dtype=np.float32)
        assert np.array_equal(got, vectors[i]), i
