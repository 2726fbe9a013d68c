"""A person in the directory, with their roles, expertise, training records, unavailable dates
and declared conflicts of interest. Personal data is kept minimal: name, work email, roles."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from common.db import TimestampMixin, VersionedMixin
from common.db.base import UTCDateTime
from common.ids import new_id
from scheduling.db import Base
from scheduling.directory.expertise import Expertise


class RoleKind(StrEnum):
    HEADTEACHER = "headteacher"
    DEPUTY = "deputy"
    SENIOR_LEADER = "senior_leader"
    PARTNERSHIP_LEAD = "partnership_lead"
    CLUSTER_LEAD = "cluster_lead"
    LEAD_REVIEWER = "lead_reviewer"
    REVIEWER = "reviewer"
    IMPROVEMENT_CHAMPION = "improvement_champion"
    ASSISTANT_IC = "assistant_ic"
    #: A person the school authorises to consent to data-sharing agreements for it.
    AGREEMENT_SIGNATORY = "agreement_signatory"


SCHOOL_ROLES = frozenset(
    {RoleKind.HEADTEACHER, RoleKind.DEPUTY, RoleKind.SENIOR_LEADER, RoleKind.AGREEMENT_SIGNATORY}
)
#: Who may consent to a data-sharing agreement for their school.
SIGNATORY_ROLES = frozenset({RoleKind.HEADTEACHER, RoleKind.AGREEMENT_SIGNATORY})
PARTNERSHIP_ROLES = frozenset({RoleKind.PARTNERSHIP_LEAD, RoleKind.CLUSTER_LEAD})
YEARLY_ROLES = frozenset({RoleKind.IMPROVEMENT_CHAMPION, RoleKind.ASSISTANT_IC})


class TrainingKind(StrEnum):
    REVIEWER = "reviewer"
    LEAD_REVIEWER = "lead_reviewer"
    IMPROVEMENT_CHAMPION = "improvement_champion"


class ConflictKind(StrEnum):
    GOVERNOR_OR_TRUSTEE = "governor_or_trustee"
    RECENT_EMPLOYMENT = "recent_employment"
    RELATIVE_ON_STAFF = "relative_on_staff"
    OTHER = "other"


class Severity(StrEnum):
    HARD = "hard"
    SOFT = "soft"


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])


class Person(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "people"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: A known leaving date (retiring, moving on): the pipeline forecast counts them out.
    leaves_on: Mapped[date | None] = mapped_column(Date, default=None)

    roles: Mapped[list[PersonRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PersonRole.id"
    )
    expertise: Mapped[list[PersonExpertise]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PersonExpertise.code"
    )
    training: Mapped[list[TrainingRecord]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="TrainingRecord.id"
    )
    unavailability: Mapped[list[Unavailability]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="Unavailability.id"
    )
    conflicts: Mapped[list[DeclaredConflict]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="DeclaredConflict.id"
    )
    external_ids: Mapped[list[PersonExternalId]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PersonExternalId.source"
    )

    @property
    def home_urns(self) -> list[int]:
        """The schools the person works at (any role naming a school), in role order."""
        seen: list[int] = []
        for role in self.roles:
            if role.urn is not None and role.urn not in seen:
                seen.append(role.urn)
        return seen

    @property
    def expertise_codes(self) -> list[Expertise]:
        return [e.code for e in self.expertise]


class PersonRole(Base):
    """A role at a school (``urn``) or a partnership (``partnership_id``), exactly one of them.
    Improvement Champion appointments last one academic year (``academic_year``)."""

    __tablename__ = "person_roles"
    __table_args__ = (
        CheckConstraint("(urn IS NULL) != (partnership_id IS NULL)", name="school_or_partnership"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[RoleKind] = mapped_column(_enum(RoleKind))
    urn: Mapped[int | None] = mapped_column(Integer, ForeignKey("schools.urn"), index=True)
    partnership_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("partnerships.id", ondelete="CASCADE"), index=True
    )
    academic_year: Mapped[str | None] = mapped_column(String(7))


class PersonExternalId(Base):
    """The person's id in another system (an MIS, an HR system): one per issuing system,
    and unique within it, so a sync can find the person again by it."""

    __tablename__ = "person_external_ids"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_person_external_id"),)

    person_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100))


class PersonExpertise(Base):
    __tablename__ = "person_expertise"

    person_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[Expertise] = mapped_column(_enum(Expertise), primary_key=True, index=True)


class TrainingRecord(Base):
    __tablename__ = "person_training"
    __table_args__ = (
        CheckConstraint("expires_on IS NULL OR expires_on >= completed_on", name="ordered"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[TrainingKind] = mapped_column(_enum(TrainingKind))
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)


class Unavailability(Base):
    """Dates the person cannot do. The reason is private to the person."""

    __tablename__ = "person_unavailability"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ordered"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))


class DeclaredConflict(Base):
    """A conflict of interest the person declared. A soft one may be waived, with a reason."""

    __tablename__ = "person_conflicts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConflictKind] = mapped_column(_enum(ConflictKind))
    urn: Mapped[int] = mapped_column(Integer, index=True)
    severity: Mapped[Severity] = mapped_column(_enum(Severity))
    note: Mapped[str | None] = mapped_column(String(500))
    waiver_reason: Mapped[str | None] = mapped_column(String(500))
    waived_by: Mapped[str | None] = mapped_column(String(200))
    waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
