"""v1 extraction profiles: what a LangGraph run's assistant_id names."""

from typing import Any

from fastapi import APIRouter, Response, status

from app.api.deps import ProfileServiceDep
from app.auth.dependencies import AdminDep
from app.runs.profiles import to_profile
from app.runs.schemas import Profile, ProfileCreate, ProfileList, ProfileWrite

# Profiles are shared configuration: any key reads them, admin keys change them.
router = APIRouter(prefix="/v1/profiles", tags=["extraction profiles"])

UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such profile (the known ones are listed)"}}


@router.get("", response_model=ProfileList, summary="List extraction profiles")
async def list_profiles(profiles: ProfileServiceDep) -> ProfileList:
    return ProfileList(profiles=[to_profile(p) for p in await profiles.list()])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Profile,
             summary="Create an extraction profile",
             responses={409: {"description": "A profile of that name exists"},
                        422: {"description": "Invalid kinds or namespace template"}})
async def create_profile(body: ProfileCreate, profiles: ProfileServiceDep,
                         _: AdminDep) -> Profile:
    return to_profile(await profiles.create(body))


@router.get("/{name}", response_model=Profile, summary="Read an extraction profile",
            responses=UNKNOWN)
async def get_profile(name: str, profiles: ProfileServiceDep) -> Profile:
    return to_profile(await profiles.get(name))


@router.put("/{name}", response_model=Profile, summary="Replace an extraction profile",
            description="Runs already queued keep the settings they were created with.",
            responses=UNKNOWN)
async def replace_profile(name: str, body: ProfileWrite, profiles: ProfileServiceDep,
                          _: AdminDep) -> Profile:
    return to_profile(await profiles.replace(name, body))


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete an extraction profile (not the default, memory)",
               responses={**UNKNOWN, 409: {"description": "The default profile"}})
async def delete_profile(name: str, profiles: ProfileServiceDep, _: AdminDep) -> Response:
    await profiles.delete(name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
