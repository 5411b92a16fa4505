"""SQL for the shared token buckets (migration 0012). One statement per request takes a
token: the row is locked by the upsert, so concurrent requests from any process queue on
it and none reads a count another is about to change. Time is the database's clock, the
one clock every replica shares."""

from app.repositories.connection import AsyncConnection, one

# The bucket refilled since its last request: `rate` tokens a second, up to `burst`.
# greatest(0, ...): a statement that started before the last update saw an earlier now().
_REFILLED = ("least(%(burst)s::float8, b.tokens + %(rate)s::float8 * greatest(0, "
             "extract(epoch FROM now() - b.updated)::float8))")


async def take_token(conn: AsyncConnection, caller: str, rate: float,
                     burst: int) -> tuple[bool, float]:
    """Spend one of `caller`'s tokens if there is one: (allowed, tokens left)."""
    cur = await conn.execute(
        f"""
        INSERT INTO rate_limits AS b (caller, tokens, updated, allowed)
        VALUES (%(caller)s, %(burst)s::float8 - 1, now(), true)
        ON CONFLICT (caller) DO UPDATE SET
            tokens = CASE WHEN {_REFILLED} >= 1 THEN {_REFILLED} - 1 ELSE {_REFILLED} END,
            allowed = {_REFILLED} >= 1,
            updated = greatest(b.updated, now())
        RETURNING allowed, tokens
        """,
        {"caller": caller, "rate": rate, "burst": burst})
    row = await one(cur)
    return row["allowed"], row["tokens"]


async def sweep_full(conn: AsyncConnection, rate: float, burst: int) -> int:
    """Delete the buckets that have refilled (as good as no row); how many went."""
    cur = await conn.execute(
        f"DELETE FROM rate_limits AS b WHERE {_REFILLED} >= %(burst)s::float8",
        {"rate": rate, "burst": burst})
    return cur.rowcount
