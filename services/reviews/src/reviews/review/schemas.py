"""HTTP models of reviews, their transitions and their history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import ConfigDict, Field, StringConstraints

from common.http.schemas import StrictModel
from contracts.reviews import ReviewState
from contracts.schedule import ReviewMode
from reviews.review.models import Review, TeamRole, allowed_next, overdue_milestones

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class TransitionIn(StrictModel):
    """Move the review to another state of its lifecycle."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"to": "pre_review", "reason": "SEF and enquiry questions shared"},
                {"to": "postponed", "reason": "Head on long-term sick leave"},
            ]
        }
    )

    to: ReviewState
    reason: Reason | None = None


class TeamMemberOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    person_id: uuid.UUID
    role: TeamRole
    home_urn: int | None


class ImprovementChampionOut(StrictModel):
    person_id: uuid.UUID
    home_urn: int | None
    assistant_person_id: uuid.UUID | None


class MilestonesOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    self_review_due: date
    pre_review_meeting: date
    report_due: date
    workshop_window_start: date
    workshop_window_end: date
    progress_review_due: date


class ReviewOut(StrictModel):
    id: uuid.UUID
    cycle_id: uuid.UUID
    partnership_id: uuid.UUID
    la_code: str
    urn: int
    academic_year: str
    mode: ReviewMode
    days: list[date]
    focus_areas: list[str]
    milestones: MilestonesOut
    team: list[TeamMemberOut] = Field(description="Lead reviewer, reviewers and shadows")
    improvement_champion: ImprovementChampionOut | None
    state: ReviewState
    state_changed_at: datetime
    allowed_transitions: list[ReviewState] = Field(
        description="States the review may move to next (each only by its roles)"
    )
    overdue_milestones: list[str] = Field(
        description="Milestones whose date has passed before the review reached their stage"
    )
    cancellation_reason: str | None
    plan_version: int = Field(description="The schedule's version of the plan held here")
    triangulation_min_kinds: int = Field(
        description="The cycle policy's rule: a finding is triangulated when its evidence has "
        "at least this many different kinds"
    )
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, review: Review, today: date) -> Self:
        team = [m for m in review.team if m.role in _TEAM_ROLES]
        champion = next((m for m in review.team if m.role == TeamRole.IMPROVEMENT_CHAMPION), None)
        assistant = next(
            (m for m in review.team if m.role == TeamRole.ASSISTANT_IMPROVEMENT_CHAMPION), None
        )
        return cls(
            id=review.id,
            cycle_id=review.cycle_id,
            partnership_id=review.partnership_id,
            la_code=review.la_code,
            urn=review.urn,
            academic_year=review.academic_year,
            mode=review.mode,
            days=[date.fromisoformat(d) for d in review.days],
            focus_areas=list(review.focus_areas),
            milestones=MilestonesOut.model_validate(review),
            team=[TeamMemberOut.model_validate(m) for m in team],
            improvement_champion=None
            if champion is None
            else ImprovementChampionOut(
                person_id=champion.person_id,
                home_urn=champion.home_urn,
                assistant_person_id=assistant.person_id if assistant else None,
            ),
            state=review.state,
            state_changed_at=review.state_changed_at,
            allowed_transitions=allowed_next(review.state),
            overdue_milestones=overdue_milestones(review, today),
            cancellation_reason=review.cancellation_reason,
            plan_version=review.plan_version,
            triangulation_min_kinds=review.triangulation_min_kinds,
            version=review.version,
            created_at=review.created_at,
            updated_at=review.updated_at,
        )


_TEAM_ROLES = (TeamRole.LEAD_REVIEWER, TeamRole.REVIEWER, TeamRole.SHADOW)


class HistoryEntryOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    review_id: uuid.UUID
    at: datetime
    action: str = Field(
        description="planned, rescheduled, team_changed, cancelled (from the schedule) or "
        "transitioned, focus_set, focus_agreed, focus_challenged, evidence_recorded, "
        "evidence_edited (requests)"
    )
    actor_subject: str | None = Field(description="The token's subject, for a request")
    actor_person_id: uuid.UUID | None
    event_id: str | None = Field(description="The schedule event's id, for an event")
    reason: str | None
    changes: dict[str, Any] = Field(description='{"field": {"from": old, "to": new}}')
    review_version: int
