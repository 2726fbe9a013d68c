"""The directory read model: schools, partnerships, memberships and data-sharing agreements,
fed by scheduling's directory events.

An agreement is kept twice: the partnership's current version (``directory_agreements``, as
proposed) and the terms in force for each member school (``directory_school_agreements``,
which widen only with the school's consent). Disclosure follows :mod:`readmodel.terms`, never
the current version alone.

A service declares the five tables on its own base, adding the columns it alone needs::

    class DirectorySchool(SchoolColumns, Base):
        easting: Mapped[int | None]

and consumes the events with :func:`consumer` over a :class:`DirectoryProjection` of those
tables. The projection writes every payload field its table has a column for, so a column a
service adds (named like the payload's field) is kept without code here. A service that must
do more when a row changes subclasses the projection (see ``knowledge``'s).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Integer, String, Uuid, delete, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.db.projection import upsert_if_newer
from common.messaging import CloudEvent, HandlerTable
from common.runtime import ConsumerSpec
from contracts.directory import (
    AGREEMENT_CHANGED,
    MEMBER_JOINED,
    MEMBER_LEFT,
    PARTNERSHIP_CREATED,
    PARTNERSHIP_UPDATED,
    SCHOOL_AGREEMENT_CHANGED,
    SCHOOL_REGISTERED,
    SCHOOL_UPDATED,
    AgreementPayload,
    MembershipPayload,
    PartnershipPayload,
    SchoolAgreementPayload,
    SchoolPayload,
)

STREAM = "SCHEDULING"


class SchoolColumns:
    __tablename__ = "directory_schools"

    urn: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    trust_uid: Mapped[str | None] = mapped_column(String(10), index=True)
    phase: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    source_version: Mapped[int]


class PartnershipColumns:
    """A service that answers about an LA's areas adds ``area_id`` and ``area_name`` (the
    partnership events carry them; scheduling's ``area.*`` events need no table of their own)."""

    __tablename__ = "directory_partnerships"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    source_version: Mapped[int]


class MembershipColumns:
    __tablename__ = "directory_memberships"

    partnership_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    urn: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class AgreementColumns:
    __tablename__ = "directory_agreements"

    partnership_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    partnership_visibility: Mapped[str] = mapped_column(String(20))
    trust_visibility: Mapped[str] = mapped_column(String(20))
    local_authority_visibility: Mapped[str] = mapped_column(String(20))
    suppression_threshold: Mapped[int]
    source_version: Mapped[int]


class SchoolAgreementColumns:
    """The terms in force for one member school (scheduling's ``school_agreement_changed``)."""

    __tablename__ = "directory_school_agreements"

    partnership_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    urn: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    partnership_visibility: Mapped[str] = mapped_column(String(20))
    trust_visibility: Mapped[str] = mapped_column(String(20))
    local_authority_visibility: Mapped[str] = mapped_column(String(20))
    suppression_threshold: Mapped[int]
    named_for_support: Mapped[bool] = mapped_column(Boolean, default=False)
    consented_version: Mapped[int | None]
    source_version: Mapped[int]


def _kept(model: type[DeclarativeBase], values: dict[str, Any]) -> dict[str, Any]:
    """The values the service's table has a column for."""
    columns = inspect(model).columns.keys()
    return {name: value for name, value in values.items() if name in columns}


@dataclass(frozen=True)
class DirectoryProjection:
    """Applies directory events to one service's tables. Called by the consumer's handlers
    inside its transaction (the consumer commits together with its inbox row); never commits.
    Each ``apply_*`` returns whether the row changed (an older version is dropped)."""

    school: type[DeclarativeBase]
    partnership: type[DeclarativeBase]
    membership: type[DeclarativeBase]
    agreement: type[DeclarativeBase]
    school_agreement: type[DeclarativeBase]

    async def apply_school(self, session: AsyncSession, school: SchoolPayload) -> bool:
        values = {
            "urn": school.urn,
            "name": school.name,
            "la_code": school.la_code,
            "trust_uid": school.trust_uid,
            "trust_name": school.trust_name,
            "phase": school.phase.value,
            "status": school.status.value,
            "easting": school.easting,
            "northing": school.northing,
            "source_version": school.version,
        }
        return await upsert_if_newer(session, self.school, school.urn, _kept(self.school, values))

    async def apply_partnership(
        self, session: AsyncSession, partnership: PartnershipPayload
    ) -> bool:
        values = {
            "id": partnership.id,
            "name": partnership.name,
            "kind": partnership.kind.value,
            "la_code": partnership.la_code,
            "area_id": partnership.area_id,
            "area_name": partnership.area_name,
            "source_version": partnership.version,
        }
        model = self.partnership
        return await upsert_if_newer(session, model, partnership.id, _kept(model, values))

    async def apply_membership(
        self, session: AsyncSession, membership: MembershipPayload, *, joined: bool
    ) -> bool:
        key = (membership.partnership_id, membership.urn)
        model: Any = self.membership
        existing = await session.get(model, key)
        if joined and existing is None:
            session.add(model(partnership_id=key[0], urn=key[1]))
            return True
        if not joined:
            await session.execute(
                delete(model).where(model.partnership_id == key[0], model.urn == key[1])
            )
            # A school that left is bound by nothing of the partnership (a new row on rejoining).
            terms: Any = self.school_agreement
            await session.execute(
                delete(terms).where(terms.partnership_id == key[0], terms.urn == key[1])
            )
            return existing is not None
        return False

    async def apply_agreement(self, session: AsyncSession, agreement: AgreementPayload) -> bool:
        values = {
            "partnership_id": agreement.partnership_id,
            "partnership_visibility": agreement.partnership_visibility.value,
            "trust_visibility": agreement.trust_visibility.value,
            "local_authority_visibility": agreement.local_authority_visibility.value,
            "suppression_threshold": agreement.suppression_threshold,
            "named_for_support": agreement.named_for_support,
            "source_version": agreement.version,
        }
        model = self.agreement
        return await upsert_if_newer(session, model, agreement.partnership_id, _kept(model, values))

    async def apply_school_agreement(
        self, session: AsyncSession, terms: SchoolAgreementPayload
    ) -> bool:
        values = {
            "partnership_id": terms.partnership_id,
            "urn": terms.urn,
            "partnership_visibility": terms.partnership_visibility.value,
            "trust_visibility": terms.trust_visibility.value,
            "local_authority_visibility": terms.local_authority_visibility.value,
            "suppression_threshold": terms.suppression_threshold,
            "named_for_support": terms.named_for_support,
            "consented_version": terms.consented_version,
            "source_version": terms.version,
        }
        model = self.school_agreement
        key = (terms.partnership_id, terms.urn)
        return await upsert_if_newer(session, model, key, _kept(model, values))


def handlers(projection: DirectoryProjection) -> HandlerTable:
    """Parse each payload, call one method of the projection."""

    async def school(session: AsyncSession, event: CloudEvent) -> None:
        await projection.apply_school(session, SchoolPayload.model_validate(event.data))

    async def partnership(session: AsyncSession, event: CloudEvent) -> None:
        await projection.apply_partnership(session, PartnershipPayload.model_validate(event.data))

    async def joined(session: AsyncSession, event: CloudEvent) -> None:
        payload = MembershipPayload.model_validate(event.data)
        await projection.apply_membership(session, payload, joined=True)

    async def left(session: AsyncSession, event: CloudEvent) -> None:
        payload = MembershipPayload.model_validate(event.data)
        await projection.apply_membership(session, payload, joined=False)

    async def agreement(session: AsyncSession, event: CloudEvent) -> None:
        await projection.apply_agreement(session, AgreementPayload.model_validate(event.data))

    async def school_agreement(session: AsyncSession, event: CloudEvent) -> None:
        payload = SchoolAgreementPayload.model_validate(event.data)
        await projection.apply_school_agreement(session, payload)

    return {
        SCHOOL_REGISTERED: school,
        SCHOOL_UPDATED: school,
        PARTNERSHIP_CREATED: partnership,
        PARTNERSHIP_UPDATED: partnership,
        MEMBER_JOINED: joined,
        MEMBER_LEFT: left,
        AGREEMENT_CHANGED: agreement,
        SCHOOL_AGREEMENT_CHANGED: school_agreement,
    }


#: Consecutive deliveries applied in one transaction (a whole fetch): a GIAS import's burst of
#: school events costs one commit per 64, not one each (bench/events.py measured the drain).
TRANSACTION_BATCH = 64


def consumer(projection: DirectoryProjection, *, durable: str) -> ConsumerSpec:
    """The durable consumer of the directory events on the scheduling stream."""
    return ConsumerSpec.dispatching(
        stream=STREAM,
        durable=durable,
        handlers=handlers(projection),
        transaction_batch=TRANSACTION_BATCH,
    )
