"""Routes of /v1/cycles: a partnership's cycle for a year, its policy, and schools' requests."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from common.http.etag import IfMatchVersion, OptionalIfMatchVersion, set_etag
from common.http.idempotency import IdempotencyKey
from common.http.pagination import Page, Pagination, Sync
from scheduling.academic_year import AcademicYear
from scheduling.deps import DirectoryReader, DirectoryWriter, SessionDep, UrnPath
from scheduling.directory.cycle import service
from scheduling.directory.cycle.models import CycleRequest
from scheduling.directory.cycle.schemas import (
    CycleIn,
    CycleOut,
    CyclePatch,
    PartnershipCycleIn,
    RequestIn,
    RequestOut,
)

router = APIRouter(prefix="/v1/cycles", tags=["cycles"])
partnership_cycles_router = APIRouter(prefix="/v1/partnerships", tags=["cycles"])

CycleId = Annotated[UUID, Path(description="Cycle id (UUIDv7)")]


def _request_out(request: CycleRequest) -> RequestOut:
    return RequestOut.model_validate(
        {
            "cycle_id": request.cycle_id,
            "urn": request.urn,
            "focus": request.focus,
            "preferred_half_terms": request.preferred_half_terms,
            "mode": request.mode,
            "days": request.days,
            "version": request.version,
            "updated_at": request.updated_at,
        }
    )


@router.get("", name="list_cycles", summary="List cycles", response_model=Page[CycleOut])
async def list_cycles(
    session: SessionDep,
    principal: DirectoryReader,
    params: Pagination,
    sync: Sync,
    partnership: Annotated[UUID | None, Query(description="Partnership id")] = None,
    academic_year: Annotated[AcademicYear | None, Query(description="e.g. 2026-27")] = None,
) -> Page[CycleOut]:
    cycles, next_cursor = await service.list_cycles(
        session,
        principal,
        params,
        partnership_id=partnership,
        academic_year=academic_year,
        sync=sync,
    )
    return Page(data=[service.cycle_out(c) for c in cycles], next_cursor=next_cursor)


@router.post(
    "",
    name="create_cycle",
    summary="Create a partnership's cycle for a year",
    description=(
        "One cycle per partnership per academic year (409 otherwise), by the partnership's lead "
        "or LA. The policy takes defaults for everything left out. Send `Idempotency-Key` to "
        "retry safely."
    ),
    status_code=201,
    response_model=CycleOut,
)
async def create_cycle(
    body: CycleIn,
    idempotency: IdempotencyKey,
    session: SessionDep,
    principal: DirectoryWriter,
) -> Response:
    stored = await service.create_cycle(session, principal, body, idempotency)
    return stored.to_response()


@partnership_cycles_router.post(
    "/{partnership_id}/cycles",
    name="create_partnership_cycle",
    summary="Create a cycle of this partnership",
    description=(
        "As `POST /v1/cycles` with the partnership from the path (404 if you cannot see it): "
        "one cycle per academic year (409 otherwise), by the partnership's lead or LA. Send "
        "`Idempotency-Key` to retry safely."
    ),
    status_code=201,
    response_model=CycleOut,
)
async def create_partnership_cycle(
    partnership_id: Annotated[UUID, Path(description="Partnership id (UUIDv7)")],
    body: PartnershipCycleIn,
    idempotency: IdempotencyKey,
    session: SessionDep,
    principal: DirectoryWriter,
) -> Response:
    data = CycleIn(partnership_id=partnership_id, **dict(body))
    stored = await service.create_cycle(
        session, principal, data, idempotency, partnership_in_path=True
    )
    return stored.to_response()


@router.get("/{cycle_id}", name="get_cycle", summary="Get a cycle", response_model=CycleOut)
async def get_cycle(
    cycle_id: CycleId, response: Response, session: SessionDep, principal: DirectoryReader
) -> CycleOut:
    cycle = await service.get_cycle(session, principal, cycle_id)
    set_etag(response, cycle.version)
    return service.cycle_out(cycle)


@router.patch(
    "/{cycle_id}",
    name="patch_cycle",
    summary="Change a cycle's policy",
    description=(
        "The given part of the policy is merged into the current one and the result validated "
        "whole (team size and limits at least 1, windows ordered). Needs `If-Match`."
    ),
    response_model=CycleOut,
)
async def patch_cycle(
    cycle_id: CycleId,
    body: CyclePatch,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> CycleOut:
    cycle = await service.patch_cycle(session, principal, cycle_id, body.policy, expected)
    set_etag(response, cycle.version)
    return service.cycle_out(cycle)


@router.get(
    "/{cycle_id}/requests",
    name="list_cycle_requests",
    summary="Member schools' requests",
    description="The partnership's lead and LA see every request; a school sees its own.",
    response_model=Page[RequestOut],
)
async def list_requests(
    cycle_id: CycleId,
    session: SessionDep,
    principal: DirectoryReader,
    params: Pagination,
    sync: Sync,
) -> Page[RequestOut]:
    rows, next_cursor = await service.list_requests(session, principal, cycle_id, params, sync)
    return Page(data=[_request_out(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/{cycle_id}/requests/{urn}",
    name="get_cycle_request",
    summary="A member school's request",
    response_model=RequestOut,
)
async def get_request(
    cycle_id: CycleId,
    urn: UrnPath,
    response: Response,
    session: SessionDep,
    principal: DirectoryReader,
) -> RequestOut:
    request = await service.get_request(session, principal, cycle_id, urn)
    set_etag(response, request.version)
    return _request_out(request)


@router.put(
    "/{cycle_id}/requests/{urn}",
    name="put_cycle_request",
    summary="Set a member school's request",
    description=(
        "Focus areas (expertise codes), preferred half-terms, mode (one the policy allows) and "
        "one or two days. By the school, its trust, or the partnership's lead or LA. Creates "
        "(201) or replaces (200, needs `If-Match`)."
    ),
    response_model=RequestOut,
    responses={201: {"model": RequestOut, "description": "Created"}},
)
async def put_request(
    cycle_id: CycleId,
    urn: UrnPath,
    body: RequestIn,
    expected: OptionalIfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> RequestOut:
    request, created = await service.put_request(session, principal, cycle_id, urn, body, expected)
    if created:
        response.status_code = 201
        response.headers["Location"] = f"/v1/cycles/{cycle_id}/requests/{urn}"
    set_etag(response, request.version)
    return _request_out(request)
