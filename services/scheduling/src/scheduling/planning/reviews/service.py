"""Planned review use cases: list and read (the LA, the partnership's lead, the school and its
trust, the people on it), change and cancel (the lead and the LA). A change is judged by the
independent checker; only what changed is published. Commits here only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import check_version
from common.http.pagination import PageParams, SyncParams, paginate_synced
from common.http.problems import ProblemError, conflict, not_found, validation_failed
from scheduling.planning.kernel import context as planning
from scheduling.planning.kernel.change import NoCalendarError, Wanted, check_change
from scheduling.planning.kernel.models import CycleSchedule, PlannedReview, PlanStatus
from scheduling.planning.kernel.plan_events import publish_cancelled, publish_plan
from scheduling.planning.kernel.plans import apply_assignment
from scheduling.planning.reviews.repository import PlannedReviewRepository
from scheduling.planning.reviews.schemas import PlannedReviewPatch
from scheduling.planning.tenancy import planned_review_manageable, planned_review_visible


def _not_manager() -> ProblemError:
    return ProblemError(
        403,
        "Not a manager of this review",
        detail="Only the partnership's lead or its local authority may change its schedule.",
        type_="not-partnership-manager",
    )


async def get_review(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> PlannedReview:
    found = await PlannedReviewRepository(session).get_where(
        review_id, planned_review_visible(principal)
    )
    if found is None:
        raise not_found(f"No planned review {review_id}.")
    return found


async def _managed(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> PlannedReview:
    found = await PlannedReviewRepository(session).get_where(
        review_id, planned_review_manageable(principal), lock=True
    )
    if found is None:
        await get_review(session, principal, review_id)  # 404 if not even visible
        raise _not_manager()
    return found


async def names_for(
    session: AsyncSession, reviews: Sequence[PlannedReview]
) -> dict[uuid.UUID, str]:
    return await PlannedReviewRepository(session).names(
        p.person_id for r in reviews for p in r.people
    )


async def list_reviews(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    cycle_id: uuid.UUID | None,
    urn: int | None,
    person_id: uuid.UUID | None,
    status: PlanStatus | None,
    sync: SyncParams,
) -> tuple[Sequence[PlannedReview], str | None]:
    repository = PlannedReviewRepository(session)
    statement = repository.visible(planned_review_visible(principal))
    if cycle_id is not None:
        statement = statement.where(PlannedReview.cycle_id == cycle_id)
    if urn is not None:
        statement = statement.where(PlannedReview.urn == urn)
    if person_id is not None:
        statement = statement.where(repository.with_person(person_id))
    if status is not None:
        statement = statement.where(PlannedReview.status == status)
    return await paginate_synced(
        session,
        statement,
        sync=sync,
        updated_at=PlannedReview.updated_at,
        id_=PlannedReview.id,
        params=params,
    )


def _breaks_rules(broken: list[dict[str, object]]) -> ProblemError:
    rules = ", ".join(sorted({str(b["rule"]) for b in broken}))
    return ProblemError(
        409,
        "The change breaks hard rules",
        detail=f"The change breaks: {rules}. Send `force` with a `reason` to apply it anyway.",
        type_="breaks-hard-rules",
        extensions={"violations": broken},
    )


async def patch_review(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    patch: PlannedReviewPatch,
    expected_version: int,
) -> PlannedReview:
    """Change days, mode, team, IC, shadows or assistant IC; 409 listing every hard rule it
    breaks unless forced (with a reason, kept on the review). Publishes ``rescheduled``
    (days, mode or a milestone moved) or ``team_changed``; nothing when nothing changed."""
    review = await _managed(session, principal, review_id)
    check_version(review.version, expected_version)
    if review.status is PlanStatus.CANCELLED:
        raise conflict("The review is cancelled.", type_="review-cancelled")
    named = [
        *([patch.lead_id] if patch.lead_id else []),
        *(patch.reviewer_ids or []),
        *([patch.ic_id] if patch.ic_id else []),
        *(patch.shadow_ids or []),
        *([patch.assistant_ic_id] if patch.assistant_ic_id else []),
    ]
    missing = set(named) - await PlannedReviewRepository(session).existing_people(named)
    if missing:
        errors = [
            {"field": "body", "message": f"No person {pid}."} for pid in sorted(map(str, missing))
        ]
        raise validation_failed(errors)
    if not patch.changes_something():
        return review
    ctx = await planning.load(session, review.la_code, review.academic_year)
    info = ctx.cycles[review.cycle_id]
    wanted = Wanted(
        days=patch.days,
        mode=patch.mode.value if patch.mode else None,
        lead=patch.lead_id,
        reviewers=patch.reviewer_ids,
        ic=patch.ic_id,
        shadows=patch.shadow_ids,
        assistant_ic=patch.assistant_ic_id,
        no_assistant_ic=patch.removes_assistant_ic,
    )
    try:
        checked = check_change(ctx, info, review.urn, wanted)
    except NoCalendarError as exc:
        message = f"LA {review.la_code} has no term dates for {review.academic_year}."
        raise conflict(message, type_="no-term-dates") from exc
    if checked.broken and not patch.force:
        raise _breaks_rules(checked.broken)
    change = apply_assignment(review, checked.assignment, checked.milestones, checked.homes)
    if change is not None:
        if checked.broken:
            review.forced_reason = patch.reason
            review.forced_by = principal.subject
            review.forced_rules = checked.broken
        await session.flush()
        await publish_plan(
            session, review, change, policy=info.policy, school_days=checked.school_days
        )
        schedule = await session.get(CycleSchedule, review.cycle_id)
        if schedule is not None:
            schedule.quality = checked.quality
    await session.commit()
    return review


async def cancel_review(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    reason: str,
    expected_version: int,
) -> PlannedReview:
    review = await _managed(session, principal, review_id)
    check_version(review.version, expected_version)
    if review.status is PlanStatus.CANCELLED:
        raise conflict("The review is already cancelled.", type_="review-cancelled")
    review.status = PlanStatus.CANCELLED
    review.cancellation_reason = reason
    review.updated_at = utcnow()
    await session.flush()
    publish_cancelled(session, review)
    await session.commit()
    return review
