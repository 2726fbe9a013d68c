"""Routes of /v1/local-authorities/{la_code}/areas: an LA's areas (county quadrants) and the
partnerships in each. For tokens of that LA only (anyone else: 404)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from scheduling.deps import DirectoryReader, DirectoryWriter, SessionDep
from scheduling.directory.area import service
from scheduling.directory.area.schemas import AreaIn, AreaOut

router = APIRouter(prefix="/v1/local-authorities", tags=["local authorities"])

LaCode = Annotated[
    str, Path(pattern=r"^\d{3}$", description="DfE local authority code", examples=["881"])
]
AreaId = Annotated[UUID, Path(description="Area id (UUIDv7)")]
PartnershipId = Annotated[UUID, Path(description="Partnership id (UUIDv7), of the same LA")]

_ONLY_LA = "For a token of the LA (any other: 404)."


@router.get(
    "/{la_code}/areas",
    name="list_la_areas",
    summary="An LA's areas and the partnerships in each",
    description=_ONLY_LA + " Ordered by name.",
    response_model=list[AreaOut],
)
async def list_areas(
    la_code: LaCode, session: SessionDep, principal: DirectoryReader
) -> list[AreaOut]:
    return await service.list_areas(session, principal, la_code)


@router.post(
    "/{la_code}/areas",
    name="create_la_area",
    summary="Create an area of the LA",
    description=_ONLY_LA + " Names are unique within the LA (409). Emits "
    "`scheduling.area.created`.",
    status_code=201,
    response_model=AreaOut,
)
async def create_area(
    la_code: LaCode, body: AreaIn, session: SessionDep, principal: DirectoryWriter
) -> AreaOut:
    return await service.create_area(session, principal, la_code, body)


@router.get(
    "/{la_code}/areas/{area_id}",
    name="get_la_area",
    summary="Get an area of the LA",
    description=_ONLY_LA,
    response_model=AreaOut,
)
async def get_area(
    la_code: LaCode, area_id: AreaId, session: SessionDep, principal: DirectoryReader
) -> AreaOut:
    return await service.get_area(session, principal, la_code, area_id)


@router.patch(
    "/{la_code}/areas/{area_id}",
    name="rename_la_area",
    summary="Rename an area",
    description=_ONLY_LA + " Emits `scheduling.area.renamed` and `scheduling.partnership."
    "updated` for each of its partnerships (their events carry the area's name).",
    response_model=AreaOut,
)
async def rename_area(
    la_code: LaCode,
    area_id: AreaId,
    body: AreaIn,
    session: SessionDep,
    principal: DirectoryWriter,
) -> AreaOut:
    return await service.rename_area(session, principal, la_code, area_id, body)


@router.delete(
    "/{la_code}/areas/{area_id}",
    name="delete_la_area",
    summary="Delete an area",
    description=_ONLY_LA + " Its partnerships stay, in no area (`scheduling.partnership."
    "updated` for each), then `scheduling.area.deleted`.",
    status_code=204,
)
async def delete_area(
    la_code: LaCode, area_id: AreaId, session: SessionDep, principal: DirectoryWriter
) -> Response:
    await service.delete_area(session, principal, la_code, area_id)
    return Response(status_code=204)


@router.put(
    "/{la_code}/areas/{area_id}/partnerships/{partnership_id}",
    name="put_la_area_partnership",
    summary="Put a partnership of the LA in an area",
    description=_ONLY_LA + " A partnership is in at most one area: one in another area moves "
    "here. Idempotent. Emits `scheduling.partnership.updated` (its `area_id`, `area_name`).",
    response_model=AreaOut,
)
async def put_partnership(
    la_code: LaCode,
    area_id: AreaId,
    partnership_id: PartnershipId,
    session: SessionDep,
    principal: DirectoryWriter,
) -> AreaOut:
    return await service.put_partnership(session, principal, la_code, area_id, partnership_id)


@router.delete(
    "/{la_code}/areas/{area_id}/partnerships/{partnership_id}",
    name="remove_la_area_partnership",
    summary="Take a partnership out of an area",
    description=_ONLY_LA + " 404 if it is not in this area. Emits `scheduling.partnership."
    "updated`.",
    status_code=204,
)
async def remove_partnership(
    la_code: LaCode,
    area_id: AreaId,
    partnership_id: PartnershipId,
    session: SessionDep,
    principal: DirectoryWriter,
) -> Response:
    await service.remove_partnership(session, principal, la_code, area_id, partnership_id)
    return Response(status_code=204)
