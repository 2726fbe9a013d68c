"""What each member school is bound by: its terms move with every new version (narrowing at
once), with its own consent or withdrawal, and start at the defaults when it joins. Each change
is written with its event in the caller's transaction; never commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import utcnow
from contracts.directory import (
    CONSENT_RECORDED,
    SCHOOL_AGREEMENT_CHANGED,
    ConsentPayload,
    Decision,
    SchoolAgreementPayload,
    Visibility,
)
from contracts.events import TenancyPath
from scheduling.directory.membership.models import Membership
from scheduling.directory.partnership.models import (
    AgreementConsent,
    AgreementVersion,
    Partnership,
    SchoolAgreement,
    SharingAgreement,
)
from scheduling.directory.partnership.terms import (
    Terms,
    on_join,
    on_new_version,
    on_withdrawal,
)
from scheduling.events import publish


def record_version(
    session: AsyncSession, agreement: SharingAgreement, proposed_by: str
) -> AgreementVersion:
    """Keep the agreement's current version in the history (after its flush)."""
    row = AgreementVersion(
        partnership_id=agreement.partnership_id,
        version=agreement.version,
        proposed_by=proposed_by,
        proposed_at=utcnow(),
        **Terms.of(agreement).as_dict(),
    )
    session.add(row)
    return row


async def start_school(
    session: AsyncSession, partnership: Partnership, agreement: SharingAgreement, urn: int
) -> SchoolAgreement:
    """A school that joins is under the narrowest of the defaults and the current version."""
    row = SchoolAgreement(
        partnership_id=partnership.id,
        urn=urn,
        consented_version=None,
        **on_join(Terms.of(agreement)).as_dict(),
    )
    session.add(row)
    await session.flush()
    _publish(session, partnership, row)
    return row


async def end_school(session: AsyncSession, partnership_id: uuid.UUID, urn: int) -> None:
    """A school that leaves is bound by nothing of the partnership any more."""
    row = await session.get(SchoolAgreement, (partnership_id, urn))
    if row is not None:
        await session.delete(row)


async def apply_new_version(
    session: AsyncSession, partnership: Partnership, agreement: SharingAgreement
) -> list[int]:
    """Narrow every member's terms to the new version at once; widen none. Returns the
    members for whom the version is not (yet) fully in force: they have not consented."""
    proposed = Terms.of(agreement)
    pending: list[int] = []
    for row in await _members_terms(session, partnership.id):
        narrowed = on_new_version(Terms.of(row), proposed)
        if narrowed != Terms.of(row):
            _set(row, narrowed)
            await session.flush()
            _publish(session, partnership, row)
        if narrowed != proposed:
            pending.append(row.urn)
    return pending


async def decide(
    session: AsyncSession,
    partnership: Partnership,
    agreement: SharingAgreement,
    row: SchoolAgreement,
    decision: Decision,
    *,
    decided_by: str,
    person_id: uuid.UUID | None,
) -> AgreementConsent:
    """Record a school's decision on the current version and apply it: consent binds the
    school to the current version; withdrawal falls back to the defaults at once; declining
    changes nothing but the record."""
    version = agreement.version
    before = (Terms.of(row), row.consented_version)
    terms_before: dict[str, Any] | None = None
    if decision is Decision.CONSENTED:
        terms_before = {k: str(v) if isinstance(v, Visibility) else v for k, v in _as(row)}
        _set(row, Terms.of(agreement))
        row.consented_version = version
    elif decision is Decision.WITHDRAWN:
        version = row.consented_version or agreement.version
        prior = await _terms_before_consent(session, row)
        _set(row, on_withdrawal(Terms.of(row), prior))
        row.consented_version = None
    record = AgreementConsent(
        partnership_id=partnership.id,
        urn=row.urn,
        agreement_version=version,
        decision=decision,
        decided_by=decided_by[:200],
        person_id=person_id,
        decided_at=utcnow(),
        terms_before=terms_before,
    )
    session.add(record)
    await session.flush()
    if (Terms.of(row), row.consented_version) != before:
        _publish(session, partnership, row)
    publish(
        session,
        CONSENT_RECORDED,
        ConsentPayload(
            id=record.id,
            partnership_id=partnership.id,
            urn=row.urn,
            la_code=partnership.la_code,
            agreement_version=record.agreement_version,
            decision=decision,
            decided_by=record.decided_by,
            person_id=person_id,
            decided_at=record.decided_at,
        ),
        tenancy=TenancyPath(la=partnership.la_code, partnership=str(partnership.id), urn=row.urn),
        subject=f"partnerships/{partnership.id}/agreement/consents/{record.id}",
        partition_key=f"partnership:{partnership.id}",
    )
    return record


def _as(row: SchoolAgreement) -> list[tuple[str, Any]]:
    return list(Terms.of(row).as_dict().items())


async def _terms_before_consent(session: AsyncSession, row: SchoolAgreement) -> Terms | None:
    """The school's terms just before its standing consent (None if not recorded)."""
    found = await session.scalar(
        select(AgreementConsent)
        .where(
            AgreementConsent.partnership_id == row.partnership_id,
            AgreementConsent.urn == row.urn,
            AgreementConsent.decision == Decision.CONSENTED,
            AgreementConsent.agreement_version == row.consented_version,
        )
        .order_by(AgreementConsent.decided_at.desc(), AgreementConsent.id.desc())
        .limit(1)
    )
    if found is None or found.terms_before is None:
        return None
    return Terms.parse(found.terms_before)


async def _members_terms(session: AsyncSession, partnership_id: uuid.UUID) -> list[SchoolAgreement]:
    statement = (
        select(SchoolAgreement)
        .join(
            Membership,
            (Membership.partnership_id == SchoolAgreement.partnership_id)
            & (Membership.urn == SchoolAgreement.urn),
        )
        .where(SchoolAgreement.partnership_id == partnership_id)
        .order_by(SchoolAgreement.urn)
    )
    return list((await session.scalars(statement)).all())


def _set(row: SchoolAgreement, terms: Terms) -> None:
    for name, value in terms.as_dict().items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def _publish(session: AsyncSession, partnership: Partnership, row: SchoolAgreement) -> None:
    payload = SchoolAgreementPayload(
        partnership_id=partnership.id,
        urn=row.urn,
        la_code=partnership.la_code,
        consented_version=row.consented_version,
        version=row.version,
        updated_at=row.updated_at,
        **Terms.of(row).as_dict(),
    )
    publish(
        session,
        SCHOOL_AGREEMENT_CHANGED,
        payload,
        tenancy=TenancyPath(la=partnership.la_code, partnership=str(partnership.id), urn=row.urn),
        subject=f"partnerships/{partnership.id}/agreement/schools/{row.urn}",
        partition_key=f"partnership:{partnership.id}",
    )
