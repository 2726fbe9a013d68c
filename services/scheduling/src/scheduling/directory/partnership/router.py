"""Routes of /v1/partnerships: the partnership, its members and its data-sharing agreement."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from common.http.etag import IfMatchVersion, set_etag
from common.http.idempotency import IdempotencyKey
from common.http.pagination import Page, Pagination, Sync
from contracts.directory import LaCode
from scheduling.deps import DirectoryReader, DirectoryWriter, SessionDep, UrnPath
from scheduling.directory.partnership import service
from scheduling.directory.partnership.schemas import (
    AgreementIn,
    AgreementOut,
    MemberOut,
    PartnershipIn,
    PartnershipOut,
    PartnershipPatch,
)

router = APIRouter(prefix="/v1/partnerships", tags=["partnerships"])

PartnershipId = Annotated[UUID, Path(description="Partnership id (UUIDv7)")]


@router.get(
    "", name="list_partnerships", summary="List partnerships", response_model=Page[PartnershipOut]
)
async def list_partnerships(
    session: SessionDep,
    principal: DirectoryReader,
    params: Pagination,
    sync: Sync,
    la: Annotated[LaCode | None, Query(description="LA code")] = None,
) -> Page[PartnershipOut]:
    rows, next_cursor = await service.list_partnerships(
        session, principal, params, la_code=la, sync=sync
    )
    return Page(data=[PartnershipOut.model_validate(p) for p in rows], next_cursor=next_cursor)


@router.post(
    "",
    name="create_partnership",
    summary="Create a partnership",
    description=(
        "Creates the partnership with the default data-sharing agreement (named within the "
        "partnership, aggregated for trust and LA, threshold 5). Send `Idempotency-Key` to "
        "retry safely. Emits `scheduling.partnership.created` and `.agreement_changed`."
    ),
    status_code=201,
    response_model=PartnershipOut,
)
async def create_partnership(
    body: PartnershipIn,
    idempotency: IdempotencyKey,
    session: SessionDep,
    principal: DirectoryWriter,
) -> Response:
    stored = await service.create_partnership(session, principal, body, idempotency)
    return stored.to_response()


@router.get(
    "/{partnership_id}",
    name="get_partnership",
    summary="Get a partnership",
    response_model=PartnershipOut,
)
async def get_partnership(
    partnership_id: PartnershipId,
    response: Response,
    session: SessionDep,
    principal: DirectoryReader,
) -> PartnershipOut:
    partnership = await service.get_partnership(session, principal, partnership_id)
    set_etag(response, partnership.version)
    return PartnershipOut.model_validate(partnership)


@router.patch(
    "/{partnership_id}",
    name="patch_partnership",
    summary="Rename a partnership or change its kind",
    response_model=PartnershipOut,
)
async def patch_partnership(
    partnership_id: PartnershipId,
    body: PartnershipPatch,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> PartnershipOut:
    partnership = await service.patch_partnership(
        session, principal, partnership_id, body, expected
    )
    set_etag(response, partnership.version)
    return PartnershipOut.model_validate(partnership)


@router.get(
    "/{partnership_id}/members",
    name="list_partnership_members",
    summary="List a partnership's member schools",
    response_model=Page[MemberOut],
)
async def list_members(
    partnership_id: PartnershipId,
    session: SessionDep,
    principal: DirectoryReader,
    params: Pagination,
    sync: Sync,
) -> Page[MemberOut]:
    rows, next_cursor = await service.list_members(session, principal, partnership_id, params, sync)
    return Page(data=[MemberOut.model_validate(m) for m in rows], next_cursor=next_cursor)


@router.put(
    "/{partnership_id}/members/{urn}",
    name="put_partnership_member",
    summary="Add a school to a partnership",
    description="Idempotent: 201 when the school joins, 200 when it already was a member.",
    response_model=MemberOut,
    responses={201: {"model": MemberOut, "description": "Joined"}},
)
async def put_member(
    partnership_id: PartnershipId,
    urn: UrnPath,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> MemberOut:
    membership, created = await service.add_member(session, principal, partnership_id, urn)
    if created:
        response.status_code = 201
    return MemberOut.model_validate(membership)


@router.delete(
    "/{partnership_id}/members/{urn}",
    name="delete_partnership_member",
    summary="Remove a school from a partnership",
    status_code=204,
)
async def delete_member(
    partnership_id: PartnershipId,
    urn: UrnPath,
    session: SessionDep,
    principal: DirectoryWriter,
) -> Response:
    await service.remove_member(session, principal, partnership_id, urn)
    return Response(status_code=204)


@router.get(
    "/{partnership_id}/agreement",
    name="get_partnership_agreement",
    summary="Get the data-sharing agreement",
    response_model=AgreementOut,
)
async def get_agreement(
    partnership_id: PartnershipId,
    response: Response,
    session: SessionDep,
    principal: DirectoryReader,
) -> AgreementOut:
    agreement = await service.get_agreement(session, principal, partnership_id)
    set_etag(response, agreement.version)
    return AgreementOut.model_validate(agreement)


@router.put(
    "/{partnership_id}/agreement",
    name="put_partnership_agreement",
    summary="Propose a new version of the data-sharing agreement",
    description=(
        "Who beyond the school may see reports and findings: the partnership, the trust and the "
        "LA (`none`, `aggregated` or `named`), the suppression threshold and `named_for_support`. "
        "The body becomes the agreement's next version (the partnership's lead, its LA or the "
        "trust of a member school may propose one). What it narrows binds every member school at "
        "once; what it widens binds a school only once that school consents "
        "(`POST /v1/partnerships/{id}/agreement/consents`). 200 when the version is in force for "
        "every member, 202 when some have yet to consent (see `/agreement/schools`). Emits "
        "`scheduling.partnership.agreement_changed` and, per school whose terms narrowed, "
        "`.school_agreement_changed`."
    ),
    response_model=AgreementOut,
    responses={202: {"model": AgreementOut, "description": "Proposed; awaiting consent"}},
)
async def put_agreement(
    partnership_id: PartnershipId,
    body: AgreementIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> AgreementOut:
    agreement, pending = await service.put_agreement(
        session, principal, partnership_id, body, expected
    )
    if pending:
        response.status_code = 202
    set_etag(response, agreement.version)
    return AgreementOut.model_validate(agreement)
