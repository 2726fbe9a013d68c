"""A partnership of schools that review each other, its members and its data-sharing agreement."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from common.db import TimestampMixin, VersionedMixin
from common.ids import new_id
from contracts.directory import PartnershipKind, Visibility
from scheduling.db import Base

DEFAULT_SUPPRESSION_THRESHOLD = 5


def _enum(enum: type[PartnershipKind] | type[Visibility]) -> Enum:
    return Enum(enum, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])


class Partnership(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "partnerships"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PartnershipKind] = mapped_column(_enum(PartnershipKind))
    la_code: Mapped[str] = mapped_column(String(3), index=True)

    agreement: Mapped[SharingAgreement] = relationship(
        back_populates="partnership", uselist=False, lazy="raise"
    )


class SharingAgreement(VersionedMixin, TimestampMixin, Base):
    """Who beyond the school may see its reports and findings, and how.

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
