"""The plan's tables: a cycle's schedule (the draft a job generated, then its quality once
published) and its planned reviews (one school's review in a published cycle, with its team,
IC and every milestone date). A planned review's ``version`` is the plan version sent in the
schedule's events (newer wins) and the ICS SEQUENCE; it rises on every change."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from common.db import TimestampMixin, UTCDateTime, VersionedMixin
from common.ids import new_id
from scheduling.db import Base
from scheduling.directory.cycle.models import Mode


class PlanStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"


class PlanRole(StrEnum):
    LEAD_REVIEWER = "lead_reviewer"
    REVIEWER = "reviewer"
    IMPROVEMENT_CHAMPION = "improvement_champion"
    SHADOW = "shadow"  # in training, beside the team on the review days
    ASSISTANT_IC = "assistant_ic"  # beside the IC at the workshop and the 90-day review


MILESTONES = (
    "self_review_due",
    "pre_review_meeting",
    "report_due",
    "workshop_window_start",
    "workshop_window_end",
    "workshop_on",
    "progress_review_due",
)


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])


class PlannedReview(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "planned_reviews"
    __table_args__ = (UniqueConstraint("cycle_id", "urn"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    partnership_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    academic_year: Mapped[str] = mapped_column(String(7), index=True)
    urn: Mapped[int] = mapped_column(Integer, ForeignKey("schools.urn"), index=True)
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus))
    mode: Mapped[Mode] = mapped_column(_enum(Mode))
    days: Mapped[list[str]] = mapped_column(JSON)  # ISO dates, one or two
    first_day: Mapped[date] = mapped_column(Date, index=True)
    focus: Mapped[list[str]] = mapped_column(JSON)
    milestones: Mapped[dict[str, str]] = mapped_column(JSON)  # MILESTONES -> ISO date
    # A change applied against the hard rules: why, by whom, and the rules it broke.
    forced_reason: Mapped[str | None] = mapped_column(String(500))
    forced_by: Mapped[str | None] = mapped_column(String(255))
    forced_rules: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    cancellation_reason: Mapped[str | None] = mapped_column(String(500))

    people: Mapped[list[PlannedReviewPerson]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(PlannedReviewPerson.role, PlannedReviewPerson.position)",
    )

    def dates(self) -> list[date]:
        return [date.fromisoformat(d) for d in self.days]

    def milestone(self, name: str) -> date:
        return date.fromisoformat(self.milestones[name])

    def with_role(self, role: PlanRole) -> list[PlannedReviewPerson]:
        return [p for p in self.people if p.role is role]


class PlannedReviewPerson(Base):
    """Someone on a planned review: the lead, a reviewer or a shadow (``position`` keeps their
    order), the Improvement Champion or the assistant IC; ``home_urn`` is the school they
    worked at when planned."""

    __tablename__ = "planned_review_people"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("planned_reviews.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[PlanRole] = mapped_column(_enum(PlanRole), primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("people.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    home_urn: Mapped[int | None] = mapped_column(Integer)


class ScheduleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class CycleSchedule(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "cycle_schedules"

    cycle_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[ScheduleStatus] = mapped_column(
        Enum(
            ScheduleStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    job_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    seed: Mapped[int] = mapped_column(Integer)
    solver_status: Mapped[str] = mapped_column(String(20))
    # The draft's reviews: [{"review_id", "urn", "days", "mode", "lead", "reviewers", "ic",
    # "focus", "milestones": {...}}]; emptied once published (the rows take over).
    draft: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # {"objective": n, "terms": {term: score}, "broken": [{rule, urn, person_id, detail}]}
    quality: Mapped[dict[str, Any]] = mapped_column(JSON)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(255))
