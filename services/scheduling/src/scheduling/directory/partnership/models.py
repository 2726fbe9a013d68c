"""A partnership of schools that review each other, its members and its data-sharing agreement."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Enum, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from common.db import TimestampMixin, VersionedMixin
from common.db.base import UTCDateTime
from common.ids import new_id
from contracts.directory import Decision, PartnershipKind, Visibility
from scheduling.db import Base
from scheduling.directory.partnership.terms import DEFAULT_SUPPRESSION_THRESHOLD

__all__ = [
    "DEFAULT_SUPPRESSION_THRESHOLD",
    "AgreementConsent",
    "AgreementVersion",
    "Partnership",
    "SchoolAgreement",
    "SharingAgreement",
]


def _enum(enum: type[PartnershipKind] | type[Visibility] | type[Decision]) -> Enum:
    return Enum(enum, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])


class Partnership(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "partnerships"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PartnershipKind] = mapped_column(_enum(PartnershipKind))
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    # The LA's area it is in, if any (``scheduling.directory.area``): at most one.
    area_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("areas.id", ondelete="SET NULL"), index=True, default=None
    )

    agreement: Mapped[SharingAgreement] = relationship(
        back_populates="partnership", uselist=False, lazy="raise"
    )


class SharingAgreement(VersionedMixin, TimestampMixin, Base):
    """The partnership's current version of its data-sharing agreement (``version`` is the
    version's number): who beyond the school may see its reports and findings, and how. It
    binds each member school only as far as its :class:`SchoolAgreement` says.

    The trust and the LA see aggregates unless the partnership opts in to ``named`` for them;
    a figure about fewer schools than ``suppression_threshold`` is suppressed (the knowledge
    service still aggregates everything above the partnership). ``named_for_support``: member
    schools may be named to schools of other partnerships as offering support for their
    strengths. The defaults are the cautious ones.
    """

    __tablename__ = "sharing_agreements"
    __table_args__ = (CheckConstraint("suppression_threshold >= 2", name="threshold_at_least_two"),)

    partnership_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True
    )
    partnership_visibility: Mapped[Visibility] = mapped_column(
        _enum(Visibility), default=Visibility.NAMED
    )
    trust_visibility: Mapped[Visibility] = mapped_column(
        _enum(Visibility), default=Visibility.AGGREGATED
    )
    local_authority_visibility: Mapped[Visibility] = mapped_column(
        _enum(Visibility), default=Visibility.AGGREGATED
    )
    suppression_threshold: Mapped[int] = mapped_column(default=DEFAULT_SUPPRESSION_THRESHOLD)
    named_for_support: Mapped[bool] = mapped_column(Boolean, default=False)

    partnership: Mapped[Partnership] = relationship(back_populates="agreement", lazy="raise")


class _TermsColumns:
    partnership_visibility: Mapped[Visibility] = mapped_column(_enum(Visibility))
    trust_visibility: Mapped[Visibility] = mapped_column(_enum(Visibility))
    local_authority_visibility: Mapped[Visibility] = mapped_column(_enum(Visibility))
    suppression_threshold: Mapped[int]
    named_for_support: Mapped[bool] = mapped_column(Boolean)


class AgreementVersion(_TermsColumns, Base):
    """Every version of the data-sharing agreement ever proposed, and by whom (append-only)."""

    __tablename__ = "agreement_versions"

    partnership_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    proposed_by: Mapped[str] = mapped_column(String(200))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgreementConsent(Base):
    """A member school's decision on a version: who, when, which (append-only history)."""

    __tablename__ = "agreement_consents"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    partnership_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("partnerships.id", ondelete="CASCADE"), index=True
    )
    urn: Mapped[int] = mapped_column(Integer, index=True)
    agreement_version: Mapped[int]
    decision: Mapped[Decision] = mapped_column(_enum(Decision))
    decided_by: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: A consent: the school's terms just before it, which its withdrawal returns to.
    terms_before: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SchoolAgreement(_TermsColumns, VersionedMixin, TimestampMixin, Base):
    """The terms in force for one member school: never wider than the current version, and
    wider than the defaults only as far as the school consented (``consented_version``)."""

    __tablename__ = "school_agreements"

    partnership_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True
    )
    urn: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    consented_version: Mapped[int | None] = mapped_column(Integer)
