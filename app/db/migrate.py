"""Schema setup: the LangGraph store's own tables, then our numbered SQL files.

Both run under one advisory lock, so several processes starting against one empty
database at once all come up.
"""

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from psycopg import AsyncConnection
from psycopg.rows import dict_row

from app.repositories import migrations as ledger
from app.repositories.connection import AsyncConnection as Connection
from app.repositories.connection import AsyncConnectionPool

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class StoreTables(Protocol):
    """What migrate needs of the store (app.store.memory_store.MemoryStore): its own tables,
    created by LangGraph before our numbered files run."""

    async def setup(self) -> None: ...


@dataclass(frozen=True)
class MigrationFile:
    version: int
    name: str
    path: Path


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[MigrationFile]:
    if not directory.is_dir():
        # An install that left migrations/ behind must not start on a schema it cannot check.
        raise RuntimeError(f"migrations folder {directory} not found; install the project "
                           "from its checkout (pip install -e .), as the Dockerfile does")
    files = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise RuntimeError(f"migration file {path.name} must be named NNNN_snake_case.sql")
        files.append(MigrationFile(int(match.group(1)), path.name, path))
    versions = [f.version for f in files]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migration files share a version number in {directory}")
    return files


async def migrate(url: str, store: StoreTables) -> list[str]:
    """Bring the database up to date; return the names of the files applied now."""
    async with await AsyncConnection.connect(url, autocommit=True, row_factory=dict_row) as conn:
        await ledger.acquire_lock(conn)
        try:
            await store.setup()
            await ledger.ensure_ledger(conn)
            done = await ledger.applied_versions(conn)
            applied = []
            for migration in migration_files():
                if migration.version in done:
                    continue
                await ledger.apply(conn, migration.version, migration.name,
                                   migration.path.read_text())
                applied.append(migration.name)
                log.info("applied migration %s", migration.name)
            return applied
        finally:
            await ledger.release_lock(conn)


async def pending_migrations(conn: Connection) -> list[str]:
    done = await ledger.applied_versions(conn)
    return [m.name for m in migration_files() if m.version not in done]


async def schema_ready(pool: AsyncConnectionPool) -> bool:
    """Every migration applied (a server started with MIGRATE_ON_START=false may find
    otherwise; /readyz then says which are missing)."""
    async with pool.connection() as conn:
        return not await pending_migrations(conn)
