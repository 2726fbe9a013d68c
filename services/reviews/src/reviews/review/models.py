"""A review of one school in one cycle: its plan (from the schedule), its team, where it is in
its lifecycle, and the append-only history of every change.

``TRANSITIONS`` below is the one place that says which state may follow which, and who may
make the move. It follows the review cycle in ``docs/domain.md``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Integer, String, Text, Uuid, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from common.clock import utcnow
from common.db import TimestampMixin, UTCDateTime, VersionedMixin
from contracts.reviews import ReviewState
from contracts.schedule import ReviewMode
from reviews.db import Base


class Role(StrEnum):
    """Who is asking, relative to one review (decided from the token and the team)."""

    # The school's head: a token whose ``schools`` claim holds the URN and whose person (if it
    # has one: a machine token of the school has none) is not on the review's team.
    SCHOOL = "school"
    LEAD_REVIEWER = "lead_reviewer"
    TEAM_MEMBER = "team_member"  # lead reviewer, reviewers and shadows
    IMPROVEMENT_CHAMPION = "improvement_champion"
    PARTNERSHIP_LEAD = "partnership_lead"


class TeamRole(StrEnum):
    LEAD_REVIEWER = "lead_reviewer"
    REVIEWER = "reviewer"
    SHADOW = "shadow"
    IMPROVEMENT_CHAMPION = "improvement_champion"
    ASSISTANT_IMPROVEMENT_CHAMPION = "assistant_improvement_champion"


S = ReviewState
_EARLY = (S.PLANNED, S.SELF_REVIEW, S.PRE_REVIEW)

#: (from, to) -> the roles that may make the move. Nothing else is a transition.
TRANSITIONS: dict[tuple[ReviewState, ReviewState], frozenset[Role]] = {
    # The school starts its self-review and shares its SEF, focus and enquiry questions.
    (S.PLANNED, S.SELF_REVIEW): frozenset({Role.SCHOOL}),
    (S.SELF_REVIEW, S.PRE_REVIEW): frozenset({Role.SCHOOL}),
    # The lead reviewer agrees the day's plan with the head, runs the day, feeds back, writes
    # the report and publishes it (the head's acknowledgement comes with the report slice).
    (S.PRE_REVIEW, S.REVIEW_DAY): frozenset({Role.LEAD_REVIEWER}),
    (S.REVIEW_DAY, S.FEEDBACK): frozenset({Role.LEAD_REVIEWER}),
    (S.FEEDBACK, S.REPORT_DRAFTED): frozenset({Role.LEAD_REVIEWER}),
    (S.REPORT_DRAFTED, S.REPORT_PUBLISHED): frozenset({Role.LEAD_REVIEWER}),
    # The Improvement Champion runs the workshop, agrees the action plan, returns at 90 days.
    (S.REPORT_PUBLISHED, S.WORKSHOP): frozenset({Role.IMPROVEMENT_CHAMPION}),
    (S.WORKSHOP, S.ACTION_PLAN_AGREED): frozenset({Role.IMPROVEMENT_CHAMPION}),
    (S.ACTION_PLAN_AGREED, S.PROGRESS_REVIEW): frozenset({Role.IMPROVEMENT_CHAMPION}),
    (S.PROGRESS_REVIEW, S.CLOSED): frozenset({Role.IMPROVEMENT_CHAMPION}),
    # The Partnership Lead fixes the dates: only they postpone or cancel, before the day.
    **{(early, S.POSTPONED): frozenset({Role.PARTNERSHIP_LEAD}) for early in _EARLY},
    **{(early, S.CANCELLED): frozenset({Role.PARTNERSHIP_LEAD}) for early in _EARLY},
    (S.POSTPONED, S.PLANNED): frozenset({Role.PARTNERSHIP_LEAD}),
    (S.POSTPONED, S.CANCELLED): frozenset({Role.PARTNERSHIP_LEAD}),
}

#: Moves made by their own use case, not by a transition request (so that no rule of theirs can
#: be walked around): the route that makes each.
DEDICATED_MOVES: dict[tuple[ReviewState, ReviewState], str] = {
    (S.REPORT_DRAFTED, S.REPORT_PUBLISHED): "POST /v1/reviews/{id}/report/publication",
    (S.WORKSHOP, S.ACTION_PLAN_AGREED): "POST /v1/reviews/{id}/action-plan/agreement",
}
#: Moves that need a fact recorded on the review first: the column that must be set.
PRECONDITIONS: dict[tuple[ReviewState, ReviewState], str] = {
    (S.PROGRESS_REVIEW, S.CLOSED): "progress_reviewed_on",
}

#: The main line, in order; a review "has reached" a stage when it is at or beyond it.
MAIN_LINE: tuple[ReviewState, ...] = (
    S.PLANNED,
    S.SELF_REVIEW,
    S.PRE_REVIEW,
    S.REVIEW_DAY,
    S.FEEDBACK,
    S.REPORT_DRAFTED,
    S.REPORT_PUBLISHED,
    S.WORKSHOP,
    S.ACTION_PLAN_AGREED,
    S.PROGRESS_REVIEW,
    S.CLOSED,
)

#: Milestone column -> the stage the review must have reached by that date.
MILESTONE_STAGES: dict[str, ReviewState] = {
    "self_review_due": S.PRE_REVIEW,
    "pre_review_meeting": S.REVIEW_DAY,
    "report_due": S.REPORT_PUBLISHED,
    "workshop_window_end": S.WORKSHOP,
    "progress_review_due": S.PROGRESS_REVIEW,
}


def allowed_next(state: ReviewState) -> list[ReviewState]:
    return [to for (origin, to) in TRANSITIONS if origin == state]


def roles_for(origin: ReviewState, to: ReviewState) -> frozenset[Role] | None:
    """The roles that may move a review from ``origin`` to ``to``; None if it is no move."""
    return TRANSITIONS.get((origin, to))


def states_before(stage: ReviewState) -> list[ReviewState]:
    """Main-line states that have not reached ``stage`` (postponed and cancelled are not late)."""
    return list(MAIN_LINE[: MAIN_LINE.index(stage)])


def overdue_milestones(review: Review, today: date) -> list[str]:
    late = []
    for column, stage in MILESTONE_STAGES.items():
        due: date = getattr(review, column)
        if due < today and review.state in states_before(stage):
            late.append(column)
    return late


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])


class Review(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "reviews"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    partnership_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    urn: Mapped[int] = mapped_column(Integer, index=True)
    academic_year: Mapped[str] = mapped_column(String(7), index=True)
    mode: Mapped[ReviewMode] = mapped_column(_enum(ReviewMode))
    first_day: Mapped[date] = mapped_column(Date, index=True)
    days: Mapped[list[str]] = mapped_column(JSON)
    focus_areas: Mapped[list[str]] = mapped_column(JSON)
    self_review_due: Mapped[date] = mapped_column(Date)
    pre_review_meeting: Mapped[date] = mapped_column(Date)
    report_due: Mapped[date] = mapped_column(Date)
    workshop_window_start: Mapped[date] = mapped_column(Date)
    workshop_window_end: Mapped[date] = mapped_column(Date)
    progress_review_due: Mapped[date] = mapped_column(Date)
    state: Mapped[ReviewState] = mapped_column(_enum(ReviewState), index=True)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    plan_version: Mapped[int] = mapped_column(Integer, doc="The schedule's version we hold")
    #: The cycle policy's rule, from the plan: a finding is triangulated when its evidence
    #: has at least this many different kinds.
    triangulation_min_kinds: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    #: Set when the 90-day progress review is recorded; the review can close only then.
    progress_reviewed_on: Mapped[date | None] = mapped_column(Date)

    team: Mapped[list[ReviewTeamMember]] = relationship(
        back_populates="review",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(ReviewTeamMember.role, ReviewTeamMember.person_id)",
    )


class ReviewTeamMember(Base):
    """The review team and its Improvement Champion, as the schedule last said."""

    __tablename__ = "review_team_members"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, index=True)
    role: Mapped[TeamRole] = mapped_column(_enum(TeamRole), primary_key=True)
    home_urn: Mapped[int | None] = mapped_column(Integer)
    #: As the schedule last named them (for the report); null from events without names.
    name: Mapped[str | None] = mapped_column(String(200))

    review: Mapped[Review] = relationship(back_populates="team", lazy="raise")


class ReviewReminder(Base):
    """When the plan says to remind the review's people of a milestone: the school day
    ``lead_school_days`` before it, counted by scheduling on the school's calendar. Replaced
    with every newer plan; the due-soon sweep (``reviews.milestone``) reads it."""

    __tablename__ = "review_reminders"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    milestone: Mapped[str] = mapped_column(String(40), primary_key=True)
    lead_school_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    remind_on: Mapped[date] = mapped_column(Date, index=True)


class ReviewHistory(Base):
    """Append-only: one row per change to a review, never updated or deleted (the ORM refuses
    below, and on PostgreSQL a trigger refuses too)."""

    __tablename__ = "review_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    actor_subject: Mapped[str | None] = mapped_column(String(200))
    actor_person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    event_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    review_version: Mapped[int] = mapped_column(Integer)


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(ReviewHistory, "before_update")
@event.listens_for(ReviewHistory, "before_delete")
def _refuse(mapper: Mapper[Any], connection: Any, target: ReviewHistory) -> None:
    raise AppendOnlyError("review_history is append-only")
