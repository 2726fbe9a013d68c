"""The schedule's events about one review, written to the outbox in the caller's transaction:
the whole current plan (``planned``, ``rescheduled``, ``team_changed``) or its cancellation,
each with the plan's ``version`` (the row's: newer wins at the consumer)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum

from sqlalchemy import select
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
from scheduling.directory.person.models import Person
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


# The plan's roles as the events name them (shadows travel with the team).
_TEAM_ROLES = {
    PlanRole.LEAD_REVIEWER: TeamRole.LEAD_REVIEWER,
    PlanRole.REVIEWER: TeamRole.REVIEWER,
    PlanRole.SHADOW: TeamRole.SHADOW,
}


def _tenancy(review: PlannedReview) -> TenancyPath:
    return TenancyPath(la=review.la_code, partnership=str(review.partnership_id), urn=review.urn)


async def people_names(session: AsyncSession, review: PlannedReview) -> dict[uuid.UUID, str]:
    """The names of the review's people (carried so the report can name its team)."""
    ids = {p.person_id for p in review.people}
    if not ids:
        return {}
    rows = await session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
    return dict(rows.tuples().all())


def plan_payload(
    review: PlannedReview,
    triangulation_min_kinds: int,
    names: Mapping[uuid.UUID, str] | None = None,
    reminders: Sequence[MilestoneReminder] = (),
) -> ReviewPlanPayload:
    m = review.milestones
    named = names or {}
    ics = review.with_role(PlanRole.IMPROVEMENT_CHAMPION)
    assistants = review.with_role(PlanRole.ASSISTANT_IC)
    team = [
        TeamMember(
            person_id=p.person_id,
            role=_TEAM_ROLES[p.role],
            home_urn=p.home_urn,
            name=named.get(p.person_id),
        )
        for p in (
            *review.with_role(PlanRole.LEAD_REVIEWER),
            *review.with_role(PlanRole.REVIEWER),
            *review.with_role(PlanRole.SHADOW),
        )
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
            ImprovementChampion(
                person_id=ics[0].person_id,
                home_urn=ics[0].home_urn,
                assistant_person_id=assistants[0].person_id if assistants else None,
                assistant_home_urn=assistants[0].home_urn if assistants else None,
                name=named.get(ics[0].person_id),
                assistant_name=named.get(assistants[0].person_id) if assistants else None,
            )
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


async def publish_plan(
    session: AsyncSession,
    review: PlannedReview,
    change: PlanChange,
    *,
    policy: Policy,
    school_days: Sequence[date],
) -> None:
    """The review's whole plan, its people named, with the policy's rule and the milestones'
    reminders counted on ``school_days`` (the school's); flush first so ``version`` is the one
    committed."""
    names = await people_names(session, review)
    reminders = milestone_reminders(review.milestones, school_days, policy.reminders)
    publish(
        session,
        _DEFINITIONS[change],
        plan_payload(review, policy.triangulation_min_kinds, names, reminders),
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
