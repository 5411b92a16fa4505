"""SQL for extraction profiles: what a LangGraph run's assistant_id names."""

from typing import Any

from psycopg.types.json import Jsonb

from app.domain.runs import ProfileRecord
from app.repositories.connection import AsyncConnection

_FIELDS = ("description", "namespace", "instructions", "kinds", "enable_inserts",
           "enable_updates", "enable_deletes")


def _params(fields: dict[str, Any]) -> list[Any]:
    return [Jsonb(fields[f]) if f in ("namespace", "kinds") and fields[f] is not None
            else fields[f] for f in _FIELDS]


async def list_profiles(conn: AsyncConnection) -> list[ProfileRecord]:
    cur = await conn.execute("SELECT * FROM extraction_profiles ORDER BY name")
    return [ProfileRecord(**r) for r in await cur.fetchall()]


async def profile_names(conn: AsyncConnection) -> list[str]:
    cur = await conn.execute("SELECT name FROM extraction_profiles ORDER BY name")
    return [r["name"] for r in await cur.fetchall()]


async def get_profile(conn: AsyncConnection, name: str) -> ProfileRecord | None:
    cur = await conn.execute("SELECT * FROM extraction_profiles WHERE name = %s", (name,))
    row = await cur.fetchone()
    return ProfileRecord(**row) if row else None


async def insert_profile(conn: AsyncConnection, name: str,
                         fields: dict[str, Any]) -> ProfileRecord | None:
    """None when a profile of that name exists."""
    cur = await conn.execute(
        f"""
        INSERT INTO extraction_profiles (name, {', '.join(_FIELDS)})
        VALUES (%s, {', '.join(['%s'] * len(_FIELDS))})
        ON CONFLICT (name) DO NOTHING RETURNING *
        """,
        [name, *_params(fields)])
    row = await cur.fetchone()
    return ProfileRecord(**row) if row else None


async def replace_profile(conn: AsyncConnection, name: str,
                          fields: dict[str, Any]) -> ProfileRecord | None:
    """None when there is no such profile."""
    cur = await conn.execute(
        f"""
        UPDATE extraction_profiles SET {', '.join(f'{f} = %s' for f in _FIELDS)},
            updated_at = now()
        WHERE name = %s RETURNING *
        """,
        [*_params(fields), name])
    row = await cur.fetchone()
    return ProfileRecord(**row) if row else None


async def delete_profile(conn: AsyncConnection, name: str) -> bool:
    cur = await conn.execute("DELETE FROM extraction_profiles WHERE name = %s", (name,))
    return cur.rowcount == 1
