"""Extraction profiles: what a run's assistant_id names (instructions, kinds, switches and the
default namespace template). The default profile `memory` can be replaced, not deleted."""

from app.domain.runs import DEFAULT_PROFILE, ProfileRecord
from app.errors import Conflict, NotFound
from app.extraction.kinds import build_kinds
from app.memories.namespaces import fill_template
from app.repositories import profiles as profiles_sql
from app.repositories.connection import AsyncConnectionPool
from app.runs.schemas import Profile, ProfileCreate, ProfileWrite


class _AnyValue(dict):
    """Template values that fill every placeholder: checks a template's syntax alone."""

    def __missing__(self, key: str) -> str:
        return "x"


def to_profile(record: ProfileRecord) -> Profile:
    return Profile(name=record.name, description=record.description,
                   namespace=record.namespace, instructions=record.instructions,
                   kinds=record.kinds, enable_inserts=record.enable_inserts,
                   enable_updates=record.enable_updates, enable_deletes=record.enable_deletes,
                   default=record.name == DEFAULT_PROFILE, created_at=record.created_at,
                   updated_at=record.updated_at)


class ProfileService:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool

    async def list(self) -> list[ProfileRecord]:
        async with self.pool.connection() as conn:
            return await profiles_sql.list_profiles(conn)

    async def get(self, name: str) -> ProfileRecord:
        async with self.pool.connection() as conn:
            found = await profiles_sql.get_profile(conn, name)
            if found is None:
                raise await self._unknown(conn, name)
        return found

    async def create(self, body: ProfileCreate) -> ProfileRecord:
        fields = _checked(body)
        async with self.pool.connection() as conn:
            created = await profiles_sql.insert_profile(conn, body.name, fields)
        if created is None:
            raise Conflict(f"extraction profile {body.name!r} exists; replace it with "
                           f"PUT /v1/profiles/{body.name}")
        return created

    async def replace(self, name: str, body: ProfileWrite) -> ProfileRecord:
        fields = _checked(body)
        async with self.pool.connection() as conn:
            replaced = await profiles_sql.replace_profile(conn, name, fields)
            if replaced is None:
                raise await self._unknown(conn, name)
        return replaced

    async def delete(self, name: str) -> None:
        if name == DEFAULT_PROFILE:
            raise Conflict(f"the default profile {DEFAULT_PROFILE!r} cannot be deleted; "
                           f"replace it with PUT /v1/profiles/{DEFAULT_PROFILE} to change it")
        async with self.pool.connection() as conn:
            if not await profiles_sql.delete_profile(conn, name):
                raise await self._unknown(conn, name)

    @staticmethod
    async def _unknown(conn, name: str) -> NotFound:
        known = await profiles_sql.profile_names(conn)
        return NotFound(f"no extraction profile {name!r} (what a run's assistant_id names); "
                        f"known profiles: {', '.join(known) or 'none'}; "
                        "create one with POST /v1/profiles")


def _checked(body: ProfileWrite) -> dict:
    """The profile's fields once its kinds' schemas and namespace template are valid."""
    kinds = [k.model_dump(by_alias=True) for k in body.kinds] if body.kinds else None
    build_kinds(kinds)
    fill_template(body.namespace, _AnyValue())
    return {"description": body.description, "namespace": list(body.namespace),
            "instructions": body.instructions, "kinds": kinds,
            "enable_inserts": body.enable_inserts, "enable_updates": body.enable_updates,
            "enable_deletes": body.enable_deletes}
