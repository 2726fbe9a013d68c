"""Events of the review schedule (owned by scheduling), consumed by reviews.

A review is planned when its cycle's schedule is published; afterwards only what changed is
published. Each payload carries the whole current plan of the review (not a diff), with the
schedule's ``version`` of that review, so a consumer can keep the newest and ignore replays.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field

from contracts.directory import LaCode, Payload, Urn
from contracts.events import EventDefinition

PayloadT = TypeVar("PayloadT", bound=BaseModel)

AcademicYear = Annotated[
    str, Field(pattern=r"^\d{4}-\d{2}$", description="e.g. 2026-27", examples=["2026-27"])
]


class ReviewMode(StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    BLENDED = "blended"


class TeamRole(StrEnum):
    LEAD_REVIEWER = "lead_reviewer"
    REVIEWER = "reviewer"
    SHADOW = "shadow"


PersonName = Annotated[
    str | None,
    Field(
        max_length=200,
        description="The person's name as the directory holds it (for the report the school "
        "receives); absent from events published before it was carried",
    ),
]


class TeamMember(Payload):
    """A lead reviewer, a reviewer, or a shadow (in training, beside the team on the review
    days; never counted in the team's size)."""

    person_id: UUID
    role: TeamRole
    home_urn: Urn | None = Field(description="The school the person works at, if any")
    name: PersonName = None


class ImprovementChampion(Payload):
    person_id: UUID
    home_urn: Urn | None
    assistant_person_id: UUID | None = Field(
        None, description="The assistant IC beside them at the workshop and the 90-day review"
    )
    assistant_home_urn: Urn | None = Field(
        None, description="The school the assistant IC works at, if any"
    )
    name: PersonName = None
    assistant_name: PersonName = None


class Milestones(Payload):
    """Due dates derived from the review date by the partnership's policy (school days)."""

    self_review_due: date
    pre_review_meeting: date
    report_due: date
    workshop_window_start: date
    workshop_window_end: date
    progress_review_due: date


class MilestoneReminder(Payload):
    """When to remind the people of a review that a milestone is near: ``lead_school_days``
    school days before it on the school's calendar (weekends, holidays and INSET days skipped),
    from the cycle policy's lead times, counted when the plan was made."""

    milestone: str = Field(examples=["report_due"], description="A field of `milestones`")
    lead_school_days: int = Field(ge=1, le=60, description="School days before the milestone")
    remind_on: date = Field(description="The school day the reminder is due")


class ReviewPlanPayload(Payload):
    review_id: UUID
    cycle_id: UUID
    partnership_id: UUID
    la_code: LaCode
    urn: Urn
    academic_year: AcademicYear
    mode: ReviewMode
    days: list[date] = Field(min_length=1, max_length=2, description="Review day(s)")
    team: list[TeamMember]
    improvement_champion: ImprovementChampion | None
    focus_areas: list[str] = Field(description="Expertise / theme codes the school asked for")
    milestones: Milestones
    triangulation_min_kinds: int = Field(
        2,
        ge=1,
        le=10,
        description="The cycle policy's rule: a finding is triangulated when it rests on at "
        "least this many different kinds of evidence",
    )
    reminders: list[MilestoneReminder] = Field(
        default_factory=list,
        max_length=50,
        description="Due-soon reminders of the milestones (empty in plans sent before reminders "
        "existed)",
    )
    version: int = Field(description="The review's plan version; newer wins")
    changed_at: datetime


class ReviewCancelledPayload(Payload):
    review_id: UUID
    cycle_id: UUID
    partnership_id: UUID
    la_code: LaCode
    urn: Urn
    reason: str
    version: int
    changed_at: datetime


def _schedule(action: str, payload: type[PayloadT], summary: str) -> EventDefinition[PayloadT]:
    return EventDefinition("scheduling", "review", action, 1, payload, summary)


REVIEW_PLANNED: EventDefinition[ReviewPlanPayload] = _schedule(
    "planned", ReviewPlanPayload, "A review was planned when its cycle's schedule was published."
)
REVIEW_RESCHEDULED: EventDefinition[ReviewPlanPayload] = _schedule(
    "rescheduled", ReviewPlanPayload, "A planned review moved to other dates (or mode)."
)
REVIEW_TEAM_CHANGED: EventDefinition[ReviewPlanPayload] = _schedule(
    "team_changed", ReviewPlanPayload, "A planned review's team or Improvement Champion changed."
)
REVIEW_CANCELLED: EventDefinition[ReviewCancelledPayload] = _schedule(
    "cancelled", ReviewCancelledPayload, "A planned review was cancelled."
)

EVENTS: tuple[EventDefinition[Any], ...] = (
    REVIEW_PLANNED,
    REVIEW_RESCHEDULED,
    REVIEW_TEAM_CHANGED,
    REVIEW_CANCELLED,
)
