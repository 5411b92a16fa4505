"""A large store table, built once per session, with one small tenant of real memories in it.

Background: 10,000 items of 50 other tenants (namespaces bg.t0 .. bg.t49). Embedding that
many texts would take most of a minute, so their vectors are made in SQL: each is one of
300 real sentence embeddings plus seeded noise, renormalised (cosine ~0.9 to its sentence,
about as close as two real sentences of this vocabulary that differ in one word). Other
tenants holding memories much like ours is what makes a small tenant hard to search.

Tenant org.alice: 500 real sentences, embedded by the model and written through the API:
4.8% of the table. Over about 4% the plain store's planner takes the HNSW index for a page
of 10 (at 3% it sorts, which is exact), so this is about the smallest tenant it fails on.

The HNSW index is dropped for the bulk load and rebuilt with one worker. Statistics are
gathered after the tenant is loaded (as autovacuum would; ANALYZE reads every row of tables
this small, so they are the same on every run) and autovacuum is then off, so the planner's
choices do not change under the tests. The data are seeded; the graph is not quite: pgvector
draws each node's HNSW level from the server's own random generator, which SQL cannot seed,
so approximate results vary a little between runs. Assertions on them keep wide margins
(measured over several builds; see the observed values in the tests' docstrings).
"""

from dataclasses import dataclass

from langgraph.store.postgres import AsyncPostgresStore
from psycopg_pool import AsyncConnectionPool

from tests.search.helpers import Service, sentences, vector_literal

BACKGROUND_ROWS = 10_000
BACKGROUND_TENANTS = 50
BASE_SENTENCES = 300
NOISE_WIDTH = 0.08  # per dimension, uniform in [-0.04, 0.04)
TENANT = ("org", "alice")
TENANT_SIZE = 500
BACKGROUND = ("bg",)


@dataclass
class BigTable:
    pool: AsyncConnectionPool
    plain: AsyncPostgresStore
    services: dict[str, Service]  # "exact" and "ann": our app at each setting
    tenant_texts: dict[str, str]  # key -> sentence


async def load_background(pool: AsyncConnectionPool, base_vectors: list[list[float]]) -> None:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'store_vectors_embedding_idx'")
        index_def = (await cur.fetchone())["indexdef"]
        await conn.execute("SELECT setseed(0.42)")
        await conn.execute("CREATE TEMP TABLE base (i int PRIMARY KEY, v vector(384))")
        await conn.execute(
            "INSERT INTO base SELECT n - 1, v::vector FROM unnest(%s::text[])"
            " WITH ORDINALITY AS u(v, n)",
            ([vector_literal(v) for v in base_vectors],))
        await conn.execute("CREATE TEMP TABLE noise (i int PRIMARY KEY, v vector(384))")
        # `WHERE g >= 0` ties the inner query to the row, so each row gets its own noise.
        await conn.execute(
            "INSERT INTO noise SELECT g, (SELECT array_agg((random() - 0.5) * %s)"
            " FROM generate_series(1, 384) WHERE g >= 0)::vector FROM generate_series(0, 999) g",
            (NOISE_WIDTH,))
        await conn.execute("DROP INDEX store_vectors_embedding_idx")
        params = {"rows": BACKGROUND_ROWS, "tenants": BACKGROUND_TENANTS,
                  "bases": len(base_vectors)}
        await conn.execute(
            """
            INSERT INTO store (prefix, key, value)
            SELECT 'bg.t' || (g %% %(tenants)s), 'k' || g,
                   jsonb_build_object('content', 'note ' || g, 'group', g %% 10)
            FROM generate_series(0, %(rows)s - 1) g
            """, params)
        await conn.execute(
            """
            INSERT INTO store_vectors (prefix, key, field_name, embedding, text)
            SELECT 'bg.t' || (g %% %(tenants)s), 'k' || g, 'text', l2_normalize(b.v + n.v),
                   'note ' || g
            FROM generate_series(0, %(rows)s - 1) g
            JOIN base b ON b.i = g %% %(bases)s
            JOIN noise n ON n.i = (g / %(bases)s) %% 1000
            """, params)
        await conn.execute("SET maintenance_work_mem = '256MB'")
        await conn.execute("SET max_parallel_maintenance_workers = 0")
        await conn.execute(index_def)
        for table in ("store", "store_vectors"):
            await conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")


async def analyze(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        await conn.execute("ANALYZE store")
        await conn.execute("ANALYZE store_vectors")


def base_sentences() -> list[str]:
    return sentences(seed=7, n=BASE_SENTENCES)


def tenant_sentences() -> dict[str, str]:
    return {f"m{i:03d}": text for i, text in enumerate(sentences(seed=11, n=TENANT_SIZE))}
