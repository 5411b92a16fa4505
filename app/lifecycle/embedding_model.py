"""Which embedding model made the stored vectors: recorded once, checked at every start."""

from app.repositories import lifecycle as lifecycle_sql
from app.repositories.connection import AsyncConnectionPool
from app.store.embedders import Embedder

META_KEY = "embedding_model"


class EmbeddingModelMismatch(RuntimeError):
    pass


def describe(embedder: Embedder) -> dict:
    return {"model": embedder.model, "dims": embedder.dims}


async def check_embedding_model(pool: AsyncConnectionPool, embedder: Embedder) -> None:
    """Record the model on first start; refuse to start when it changed since."""
    current = describe(embedder)
    async with pool.connection() as conn, conn.transaction():
        recorded = await lifecycle_sql.get_meta(conn, META_KEY)
        if recorded is None:
            await lifecycle_sql.set_meta(conn, META_KEY, current)
            return
    if recorded != current:
        raise EmbeddingModelMismatch(
            f"the stored vectors were made by {recorded['model']} ({recorded['dims']} dims) "
            f"but EMBEDDING_MODEL is {current['model']} ({current['dims']} dims); vectors of "
            "two models cannot be searched together. Run `memory-service reindex` to "
            f"re-embed every memory with {current['model']}, or set EMBEDDING_MODEL back to "
            f"{recorded['model']}.")
