"""Routes of /v1/schools: parse, call one service function, shape the response."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from common.http.etag import OptionalIfMatchVersion, set_etag
from common.http.pagination import Page, Pagination, Sync
from contracts.directory import LaCode
from scheduling.deps import DirectoryReader, DirectoryWriter, SessionDep, UrnPath
from scheduling.directory.school import service
from scheduling.directory.school.schemas import LinkOut, SchoolIn, SchoolLinksOut, SchoolOut

router = APIRouter(prefix="/v1/schools", tags=["schools"])


@router.put(
    "/{urn}",
    name="put_school",
    summary="Create or replace a school",
    description=(
        "Creates the school (201) or replaces it (200). Replacing needs `If-Match` with the "
        "ETag of the last read. Emits `scheduling.school.registered` or `.updated`."
    ),
    response_model=SchoolOut,
    responses={201: {"model": SchoolOut, "description": "Created"}},
)
async def put_school(
    urn: UrnPath,
    body: SchoolIn,
    expected: OptionalIfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> SchoolOut:
    school, created = await service.put_school(session, principal, urn, body, expected)
    if created:
        response.status_code = 201
        response.headers["Location"] = f"/v1/schools/{urn}"
    set_etag(response, school.version)
    return SchoolOut.model_validate(school)


@router.get("/{urn}", name="get_school", summary="Get a school", response_model=SchoolOut)
async def get_school(
    urn: UrnPath, response: Response, session: SessionDep, principal: DirectoryReader
) -> SchoolOut:
    school = await service.get_school(session, principal, urn)
    set_etag(response, school.version)
    return SchoolOut.model_validate(school)


@router.get(
    "",
    name="list_schools",
    summary="List schools",
    description="Schools visible to the caller, oldest change first; sync with `updated_since`.",
    response_model=Page[SchoolOut],
)
async def list_schools(
    session: SessionDep,
    principal: DirectoryReader,
    params: Pagination,
    sync: Sync,
    la: Annotated[LaCode | None, Query(description="LA code")] = None,
    trust: Annotated[str | None, Query(pattern=r"^\d{1,10}$", description="Group UID")] = None,
    partnership: Annotated[UUID | None, Query(description="Partnership id")] = None,
) -> Page[SchoolOut]:
    schools, next_cursor = await service.list_schools(
        session,
        principal,
        params,
        la_code=la,
        trust_uid=trust,
        partnership_id=partnership,
        sync=sync,
    )
    return Page(data=[SchoolOut.model_validate(s) for s in schools], next_cursor=next_cursor)


@router.get(
    "/{urn}/links",
    name="get_school_links",
    summary="A school's GIAS links",
    description=(
        "Predecessor and successor URNs (an academy conversion gives a school a new URN) and "
        "every GIAS link, as imported from the links extract."
    ),
    response_model=SchoolLinksOut,
)
async def get_school_links(
    urn: UrnPath, session: SessionDep, principal: DirectoryReader
) -> SchoolLinksOut:
    links, predecessors, successors = await service.get_links(session, principal, urn)
    return SchoolLinksOut(
        urn=urn,
        predecessor_urns=predecessors,
        successor_urns=successors,
        links=[LinkOut.model_validate(link) for link in links],
    )
