"""Partnership use cases: create, change, members, data-sharing agreement. Commits here only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import check_version, etag_for
from common.http.idempotency import IdempotencyStore, IdempotentRequest, StoredResponse
from common.http.pagination import PageParams, SyncParams, paginate_synced
from common.http.problems import ProblemError, not_found
from contracts.directory import (
    AGREEMENT_CHANGED,
    MEMBER_JOINED,
    MEMBER_LEFT,
    PARTNERSHIP_CREATED,
    PARTNERSHIP_UPDATED,
    AgreementPayload,
    MembershipPayload,
    PartnershipPayload,
)
from contracts.events import TenancyPath
from scheduling.db import IdempotencyRecord
from scheduling.directory.membership.models import Membership
from scheduling.directory.partnership import consent
from scheduling.directory.partnership.models import Partnership, SharingAgreement
from scheduling.directory.partnership.repository import PartnershipRepository
from scheduling.directory.partnership.schemas import (
    AgreementIn,
    PartnershipIn,
    PartnershipOut,
    PartnershipPatch,
)
from scheduling.directory.partnership.tenancy import (
    agreement_proposable,
    may_create_partnership,
    partnership_manageable,
    partnership_visible,
)
from scheduling.directory.school.repository import SchoolRepository
from scheduling.directory.tombstone.models import Collection, tombstone
from scheduling.events import publish

IDEMPOTENCY_KEYS = IdempotencyStore(IdempotencyRecord)


def _not_manager() -> ProblemError:
    return ProblemError(
        403,
        "Not a manager of this partnership",
        detail="Only the partnership's lead or its local authority may change it.",
        type_="not-partnership-manager",
    )


async def get_partnership(
    session: AsyncSession, principal: Principal, partnership_id: uuid.UUID
) -> Partnership:
    found = await PartnershipRepository(session).get_where(
        partnership_id, partnership_visible(principal)
    )
    if found is None:
        raise not_found(f"No partnership {partnership_id}.")
    return found


async def _managed(
    session: AsyncSession, principal: Principal, partnership_id: uuid.UUID
) -> Partnership:
    """The partnership if the caller may change it; 404 if they cannot see it, else 403."""
    repository = PartnershipRepository(session)
    found = await repository.get_where(partnership_id, partnership_manageable(principal))
    if found is None:
        await get_partnership(session, principal, partnership_id)
        raise _not_manager()
    return found


async def list_partnerships(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    la_code: str | None,
    sync: SyncParams,
) -> tuple[Sequence[Partnership], str | None]:
    statement = PartnershipRepository(session).visible(partnership_visible(principal))
    if la_code is not None:
        statement = statement.where(Partnership.la_code == la_code)
    return await paginate_synced(
        session,
        statement,
        sync=sync,
        updated_at=Partnership.updated_at,
        id_=Partnership.id,
        params=params,
    )


async def create_partnership(
    session: AsyncSession,
    principal: Principal,
    data: PartnershipIn,
    idempotency: IdempotentRequest | None,
) -> StoredResponse:
    """Create a partnership with the default (cautious) data-sharing agreement. A retry with
    the same Idempotency-Key replays the first response instead of creating a second one."""
    if not may_create_partnership(principal, data.la_code):
        raise ProblemError(
            403,
            "Outside your tenancy",
            detail="Partnerships are created by a token of their local authority.",
            type_="outside-tenancy",
        )

    async def create() -> StoredResponse:
        partnership = PartnershipRepository(session).add(Partnership(**data.model_dump()))
        await session.flush()
        agreement = SharingAgreement(partnership_id=partnership.id)
        session.add(agreement)
        await session.flush()
        consent.record_version(session, agreement, principal.subject)
        await publish_partnership(session, partnership, created=True)
        _publish_agreement(session, partnership, agreement, principal.subject)
        headers = {
            "Location": f"/v1/partnerships/{partnership.id}",
            "ETag": etag_for(partnership.version),
        }
        return StoredResponse.json(201, PartnershipOut.model_validate(partnership), headers=headers)

    return await IDEMPOTENCY_KEYS.run(session, idempotency, create)


async def patch_partnership(
    session: AsyncSession,
    principal: Principal,
    partnership_id: uuid.UUID,
    patch: PartnershipPatch,
    expected_version: int,
) -> Partnership:
    partnership = await _managed(session, principal, partnership_id)
    check_version(partnership.version, expected_version)
    changes = {k: v for k, v in patch.model_dump(exclude_unset=True).items() if v is not None}
    changed = False
    for field, value in changes.items():
        if getattr(partnership, field) != value:
            setattr(partnership, field, value)
            changed = True
    if changed:
        await session.flush()
        await publish_partnership(session, partnership, created=False)
    await session.commit()
    return partnership


async def list_members(
    session: AsyncSession,
    principal: Principal,
    partnership_id: uuid.UUID,
    params: PageParams,
    sync: SyncParams,
) -> tuple[Sequence[Membership], str | None]:
    await get_partnership(session, principal, partnership_id)
    statement = PartnershipRepository(session).members(partnership_id)
    order = (Membership.created_at, Membership.urn)
    return await paginate_synced(
        session,
        statement,
        sync=sync,
        updated_at=Membership.updated_at,
        id_=Membership.urn,
        order_by=order,
        params=params,
    )


async def add_member(
    session: AsyncSession, principal: Principal, partnership_id: uuid.UUID, urn: int
) -> tuple[Membership, bool]:
    """Idempotent: adding a school that is already a member changes nothing."""
    partnership = await _managed(session, principal, partnership_id)
    repository = PartnershipRepository(session)
    if (existing := await repository.membership(partnership_id, urn)) is not None:
        return existing, False
    # Any school in the directory may join; the caller need not be its LA (cross-LA clusters).
    if await SchoolRepository(session).get(urn) is None:
        raise not_found(f"No school {urn}.")
    membership = Membership(partnership_id=partnership_id, urn=urn)
    session.add(membership)
    await session.flush()
    _publish_membership(session, partnership, urn, joined=True)
    agreement = await repository.agreement(partnership_id)
    if agreement is not None:  # every partnership gets one at creation
        await consent.start_school(session, partnership, agreement, urn)
    await session.commit()
    return membership, True


async def remove_member(
    session: AsyncSession, principal: Principal, partnership_id: uuid.UUID, urn: int
) -> None:
    partnership = await _managed(session, principal, partnership_id)
    membership = await PartnershipRepository(session).membership(partnership_id, urn)
    if membership is None:
        raise not_found(f"School {urn} is not a member of this partnership.")
    await session.delete(membership)
    session.add(
        tombstone(Collection.PARTNERSHIP_MEMBERS, urn, partnership_id=partnership_id, urn=urn)
    )
    await consent.end_school(session, partnership_id, urn)
    _publish_membership(session, partnership, urn, joined=False)
    await session.commit()


async def get_agreement(
    session: AsyncSession, principal: Principal, partnership_id: uuid.UUID
) -> SharingAgreement:
    await get_partnership(session, principal, partnership_id)
    agreement = await PartnershipRepository(session).agreement(partnership_id)
    if agreement is None:  # every partnership gets one at creation
        raise not_found(f"No agreement for partnership {partnership_id}.")
    return agreement


async def _proposable(
    session: AsyncSession, principal: Principal, partnership_id: uuid.UUID
) -> Partnership:
    """The partnership if the caller may propose its agreement; 404 if they cannot see it."""
    repository = PartnershipRepository(session)
    found = await repository.get_where(partnership_id, agreement_proposable(principal))
    if found is None:
        await get_partnership(session, principal, partnership_id)
        raise ProblemError(
            403,
            "Not a proposer of this partnership's agreement",
            detail="The partnership's lead, its local authority and the trusts of its member "
            "schools may propose a version.",
            type_="not-agreement-proposer",
        )
    return found


async def put_agreement(
    session: AsyncSession,
    principal: Principal,
    partnership_id: uuid.UUID,
    data: AgreementIn,
    expected_version: int,
) -> tuple[SharingAgreement, list[int]]:
    """Propose the terms as the agreement's new version. What it narrows binds every member at
    once; what it widens binds a member only once that school consents. Returns the version and
    the members it is not yet fully in force for (they have not consented to it)."""
    partnership = await _proposable(session, principal, partnership_id)
    agreement = await get_agreement(session, principal, partnership_id)
    check_version(agreement.version, expected_version)
    changed = False
    for field, value in data.model_dump().items():
        if getattr(agreement, field) != value:
            setattr(agreement, field, value)
            changed = True
    if changed:
        await session.flush()
        consent.record_version(session, agreement, principal.subject)
        _publish_agreement(session, partnership, agreement, principal.subject)
    pending = await consent.apply_new_version(session, partnership, agreement)
    await session.commit()
    return agreement, pending


async def publish_partnership(
    session: AsyncSession, partnership: Partnership, *, created: bool
) -> None:
    """The partnership's event, its area's name beside the area's id."""
    area_name = None
    if partnership.area_id is not None:
        # The areas table by name: the area package builds on partnerships, not the reverse.
        areas = Partnership.metadata.tables["areas"]
        area_name = await session.scalar(
            select(areas.c.name).where(areas.c.id == partnership.area_id)
        )
    payload = PartnershipPayload.model_validate(partnership, from_attributes=True)
    publish(
        session,
        PARTNERSHIP_CREATED if created else PARTNERSHIP_UPDATED,
        payload.model_copy(update={"area_name": area_name}),
        tenancy=TenancyPath(la=partnership.la_code, partnership=str(partnership.id)),
        subject=f"partnerships/{partnership.id}",
        partition_key=f"partnership:{partnership.id}",
    )


def _publish_membership(
    session: AsyncSession, partnership: Partnership, urn: int, *, joined: bool
) -> None:
    payload = MembershipPayload(
        partnership_id=partnership.id, urn=urn, la_code=partnership.la_code, occurred_at=utcnow()
    )
    publish(
        session,
        MEMBER_JOINED if joined else MEMBER_LEFT,
        payload,
        tenancy=TenancyPath(la=partnership.la_code, partnership=str(partnership.id), urn=urn),
        subject=f"partnerships/{partnership.id}/members/{urn}",
        partition_key=f"partnership:{partnership.id}",
    )


def _publish_agreement(
    session: AsyncSession, partnership: Partnership, agreement: SharingAgreement, proposed_by: str
) -> None:
    payload = AgreementPayload(
        partnership_id=partnership.id,
        la_code=partnership.la_code,
        partnership_visibility=agreement.partnership_visibility,
        trust_visibility=agreement.trust_visibility,
        local_authority_visibility=agreement.local_authority_visibility,
        suppression_threshold=agreement.suppression_threshold,
        named_for_support=agreement.named_for_support,
        version=agreement.version,
        updated_at=agreement.updated_at,
        proposed_by=proposed_by,
    )
    publish(
        session,
        AGREEMENT_CHANGED,
        payload,
        tenancy=TenancyPath(la=partnership.la_code, partnership=str(partnership.id)),
        subject=f"partnerships/{partnership.id}/agreement",
        partition_key=f"partnership:{partnership.id}",
    )
