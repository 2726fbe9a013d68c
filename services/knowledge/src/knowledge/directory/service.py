"""Apply directory events to the local read model. Called by the handlers inside the consumer's
transaction (the consumer commits together with its inbox row). A changed agreement, or a school
that changed trust, also moves the reviews' counts and drops text the agreement no longer
allows (``knowledge.review.visibility``), in the same transaction."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from common.db.projection import upsert_if_newer
from contracts.directory import (
    AgreementPayload,
    MembershipPayload,
    PartnershipPayload,
    SchoolPayload,
)
from knowledge.directory.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
)
from knowledge.review import visibility


async def apply_school(session: AsyncSession, school: SchoolPayload) -> None:
    values = {
        "urn": school.urn,
        "name": school.name,
        "la_code": school.la_code,
        "trust_uid": school.trust_uid,
        "phase": school.phase.value,
        "status": school.status.value,
        "easting": school.easting,
        "northing": school.northing,
        "source_version": school.version,
    }
    before = await session.get(DirectorySchool, school.urn)
    trust_before = before.trust_uid if before is not None else None
    if await upsert_if_newer(session, DirectorySchool, school.urn, values) and (
        trust_before != school.trust_uid
    ):
        await visibility.reconcile_school(session, school.urn, school.trust_uid)


async def apply_partnership(session: AsyncSession, partnership: PartnershipPayload) -> None:
    values = {
        "id": partnership.id,
        "name": partnership.name,
        "kind": partnership.kind.value,
        "la_code": partnership.la_code,
        "source_version": partnership.version,
    }
    await upsert_if_newer(session, DirectoryPartnership, partnership.id, values)


async def apply_membership(
    session: AsyncSession, membership: MembershipPayload, *, joined: bool
) -> None:
    key = (membership.partnership_id, membership.urn)
    existing = await session.get(DirectoryMembership, key)
    if joined and existing is None:
        session.add(DirectoryMembership(partnership_id=key[0], urn=key[1]))
    elif not joined:
        await session.execute(
            delete(DirectoryMembership).where(
                DirectoryMembership.partnership_id == key[0], DirectoryMembership.urn == key[1]
            )
        )


async def apply_agreement(session: AsyncSession, agreement: AgreementPayload) -> None:
    values = {
        "partnership_id": agreement.partnership_id,
        "partnership_visibility": agreement.partnership_visibility.value,
        "trust_visibility": agreement.trust_visibility.value,
        "local_authority_visibility": agreement.local_authority_visibility.value,
        "suppression_threshold": agreement.suppression_threshold,
        "named_for_support": agreement.named_for_support,
        "source_version": agreement.version,
    }
    if await upsert_if_newer(session, DirectoryAgreement, agreement.partnership_id, values):
        await session.flush()
        await visibility.reconcile_partnership(session, agreement.partnership_id)
