"""Routes of /v1/partnerships/{id}/agreement/...: the agreement's versions, each member school's
terms, and the schools' decisions (consent, decline, withdrawal)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from common.http.pagination import After, Page, Pagination, Sync
from scheduling.deps import DirectoryReader, DirectoryWriter, SessionDep
from scheduling.directory.agreement import service
from scheduling.directory.agreement.schemas import (
    AgreementVersionOut,
    ConsentIn,
    ConsentOut,
    SchoolTermsOut,
)

router = APIRouter(prefix="/v1/partnerships", tags=["partnerships"])

PartnershipId = Annotated[UUID, Path(description="Partnership id (UUIDv7)")]


@router.get(
    "/{partnership_id}/agreement/versions",
    name="list_agreement_versions",
    summary="Every version of the data-sharing agreement",
    description="Oldest first, each with who proposed it and when. For whoever sees the "
    "partnership. Versions are never changed: for new ones, pass the `version` of the last one "
    "you hold as `after_id`.",
    response_model=Page[AgreementVersionOut],
)
async def list_versions(
    partnership_id: PartnershipId,
    session: SessionDep,
    principal: DirectoryReader,
    params: Pagination,
    after: After,
) -> Page[AgreementVersionOut]:
    rows, next_cursor = await service.list_versions(
        session, principal, partnership_id, params, after
    )
    return Page(data=[AgreementVersionOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/{partnership_id}/agreement/schools",
    name="list_agreement_school_terms",
    summary="The terms in force for each member school",
    description=(
        "Per member school: the narrowest of the current version and what the school consented "
        "to (the defaults until it consents). Reviews and findings are disclosed by these. "
        "By URN; sync with `updated_since` and `after_id` (the `updated_at` and `urn` of the "
        "last row you hold): then oldest change first."
    ),
    response_model=Page[SchoolTermsOut],
)
async def list_school_terms(
    partnership_id: PartnershipId,
    session: SessionDep,
    principal: DirectoryReader,
    params: Pagination,
    sync: Sync,
) -> Page[SchoolTermsOut]:
    rows, next_cursor = await service.list_school_terms(
        session, principal, partnership_id, params, sync
    )
    return Page(data=[SchoolTermsOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/{partnership_id}/agreement/consents",
    name="list_agreement_consents",
    summary="The member schools' decisions on the agreement",
    description="Who decided what for which school and version, and when; oldest first. "
    "Decisions are never changed: for new ones, pass the `id` of the last one you hold as "
    "`after_id`.",
    response_model=Page[ConsentOut],
)
async def list_consents(
    partnership_id: PartnershipId,
    session: SessionDep,
    principal: DirectoryReader,
    params: Pagination,
    after: After,
) -> Page[ConsentOut]:
    rows, next_cursor = await service.list_consents(
        session, principal, partnership_id, params, after
    )
    return Page(data=[ConsentOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "/{partnership_id}/agreement/consents",
    name="post_agreement_consent",
    summary="Consent to, decline or withdraw from the agreement for a member school",
    description=(
        "By the school's head or a person it authorised (role `agreement_signatory`), with a "
        "token whose `schools` names the school and whose `person_id` names the person. "
        "`consented` binds the school to the current version (409 for another version); "
        "`withdrawn` falls back at once to the narrowest of the defaults and the current "
        "version; `declined` is recorded and changes nothing. Emits "
        "`scheduling.partnership.consent_recorded` and, when the school's terms change, "
        "`.school_agreement_changed`."
    ),
    status_code=201,
    response_model=ConsentOut,
)
async def post_consent(
    partnership_id: PartnershipId,
    body: ConsentIn,
    session: SessionDep,
    principal: DirectoryWriter,
) -> ConsentOut:
    record = await service.decide(session, principal, partnership_id, body)
    return ConsentOut.model_validate(record)
