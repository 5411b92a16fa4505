"""A large import leaves the planner's statistics current: it ends with an ANALYZE of the
tables it wrote. Without it the planner estimated a namespace it had not seen at a row or
two until autovacuum crossed its threshold (10% of the table changed, which an import of
thousands into a large table does not reach), and filtered searches there took 46 ms
instead of 19 at 20,000 memories (bench/ONE_NAMESPACE.md)."""

import json

import psycopg
import pytest

from app.lifecycle.transfer import ANALYZE_MIN_LINES


def analyses(database_url: str) -> int:
    """Manual ANALYZEs of the items table so far (autovacuum's are counted apart)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute("SELECT analyze_count FROM pg_stat_user_tables"
                            " WHERE relname = 'store'").fetchone()[0]


@pytest.fixture(autouse=True)
def no_autovacuum(database_url: str) -> None:
    """Autovacuum analyzing the table at that moment would make the import's ANALYZE skip
    it (SKIP_LOCKED): off for this test's database, so the count is the import's alone."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        for table in ("store", "store_vectors", "store_keywords"):
            conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")


def lines(count: int, tag: str) -> str:
    return "\n".join(json.dumps({"namespace": ["memories", tag], "key": f"k{i}",
                                 "value": {"content": f"note {i}"}, "index": False})
                     for i in range(count))


@pytest.mark.parametrize("count, analyzed", [(ANALYZE_MIN_LINES, 1), (10, 0)])
async def test_a_large_import_analyzes_what_it_wrote(client, database_url, count, analyzed):
    before = analyses(database_url)
    response = await client.post("/v1/import", content=lines(count, "bulk"))
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == count
    assert analyses(database_url) - before == analyzed


async def test_an_import_changing_nothing_does_not_analyze(client, database_url):
    body = lines(ANALYZE_MIN_LINES, "again")
    assert (await client.post("/v1/import", content=body)).status_code == 200
    before = analyses(database_url)
    response = await client.post("/v1/import", content=body)
    assert response.json()["unchanged"] == ANALYZE_MIN_LINES
    assert analyses(database_url) == before
