"""The schedule's events about one review, written to the outbox in the caller's transaction:
the whole current plan (``planned``, ``rescheduled``, ``team_changed``) or its cancellation,
each with the plan's ``version`` (the row's: newer wins at the consumer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import utcnow
from contracts.events import EventDefinition, TenancyPath
from contracts.schedule import (
    REVIEW_CANCELLED,
    REVIEW_PLANNED,
    REVIEW_RESCHEDULED,
    REVIEW_TEAM_CHANGED,
    ImprovementChampion,
    MilestoneReminder,
    Milestones,
    ReviewCancelledPayload,
    ReviewMode,
    ReviewPlanPayload,
    TeamMember,
    TeamRole,
)
from scheduling.directory.cycle.schemas import Policy
from scheduling.events import publish
from scheduling.planning.kernel.models import PlannedReview, PlanRole
from scheduling.planning.kernel.reminders import milestone_reminders


class PlanChange(StrEnum):
    PLANNED = "planned"
    RESCHEDULED = "rescheduled"  # days, mode or a milestone date moved
    TEAM_CHANGED = "team_changed"  # the team or the Improvement Champion changed
    CANCELLED = "cancelled"


_DEFINITIONS: dict[PlanChange, EventDefinition[ReviewPlanPayload]] = {
    PlanChange.PLANNED: REVIEW_PLANNED,
    PlanChange.RESCHEDULED: REVIEW_RESCHEDULED,
    PlanChange.TEAM_CHANGED: REVIEW_TEAM_CHANGED,
}


def _tenancy(review: PlannedReview) -> TenancyPath:
    return TenancyPath(la=review.la_code, partnership=str(review.partnership_id), urn=review.urn)


def plan_payload(
    review: PlannedReview,
    triangulation_min_kinds: int,
    reminders: Sequence[MilestoneReminder] = (),
) -> ReviewPlanPayload:
    m = review.milestones
    ics = review.with_role(PlanRole.IMPROVEMENT_CHAMPION)
    team = [
        TeamMember(
            person_id=p.person_id,
            role=TeamRole.LEAD_REVIEWER if p.role is PlanRole.LEAD_REVIEWER else TeamRole.REVIEWER,
            home_urn=p.home_urn,
        )
        for p in (*review.with_role(PlanRole.LEAD_REVIEWER), *review.with_role(PlanRole.REVIEWER))
    ]
    return ReviewPlanPayload(
        review_id=review.id,
        cycle_id=review.cycle_id,
        partnership_id=review.partnership_id,
        la_code=review.la_code,
        urn=review.urn,
        academic_year=review.academic_year,
        mode=ReviewMode(str(review.mode)),
        days=review.dates(),
        team=team,
        improvement_champion=(
            ImprovementChampion(person_id=ics[0].person_id, home_urn=ics[0].home_urn)
            if ics
            else None
        ),
        focus_areas=list(review.focus),
        milestones=Milestones(
            self_review_due=date.fromisoformat(m["self_review_due"]),
            pre_review_meeting=date.fromisoformat(m["pre_review_meeting"]),
            report_due=date.fromisoformat(m["report_due"]),
            workshop_window_start=date.fromisoformat(m["workshop_window_start"]),
            workshop_window_end=date.fromisoformat(m["workshop_window_end"]),
            progress_review_due=date.fromisoformat(m["progress_review_due"]),
        ),
        triangulation_min_kinds=triangulation_min_kinds,
        reminders=list(reminders),
        version=review.version,
        changed_at=review.updated_at,
    )


def publish_plan(
    session: AsyncSession,
    review: PlannedReview,
    change: PlanChange,
    *,
    policy: Policy,
    school_days: Sequence[date],
) -> None:
    """The review's whole plan, with the policy's rule and the milestones' reminders counted
    on ``school_days`` (the school's); flush first so ``version`` is the one committed."""
    reminders = milestone_reminders(review.milestones, school_days, policy.reminders)
    publish(
        session,
        _DEFINITIONS[change],
        plan_payload(review, policy.triangulation_min_kinds, reminders),
        tenancy=_tenancy(review),
        subject=f"planned-reviews/{review.id}",
        partition_key=f"review:{review.id}",
    )


def publish_cancelled(session: AsyncSession, review: PlannedReview) -> None:
    payload = ReviewCancelledPayload(
        review_id=review.id,
        cycle_id=review.cycle_id,
        partnership_id=review.partnership_id,
        la_code=review.la_code,
        urn=review.urn,
        reason=review.cancellation_reason or "cancelled",
        version=review.version,
        changed_at=review.updated_at or utcnow(),
    )
    publish(
        session,
        REVIEW_CANCELLED,
        payload,
        tenancy=_tenancy(review),
        subject=f"planned-reviews/{review.id}",
        partition_key=f"review:{review.id}",
    )
