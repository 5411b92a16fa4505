"""Advisory locks that serialise one-off work across processes sharing a database."""

from app.repositories.connection import AsyncConnection

_KEYWORD_INDEX_LOCK = 7_364_201  # one process at a time rebuilds the keyword index


async def lock_keyword_index(conn: AsyncConnection) -> None:
    """Held until the transaction ends: others wait, then see the index already rebuilt."""
    await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_KEYWORD_INDEX_LOCK,))
