"""The 90-day progress review: recorded once by the IC in progress_review, every action of the
agreed plan rated; emits ``reviews.progress.reviewed`` and lets the review close. Read by the
school, the team and the IC."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.problems import ProblemError, not_found, validation_failed
from contracts.reviews import PROGRESS_REVIEWED, ProgressReviewedPayload, RatedAction
from reviews.progress.models import RECORDING_STATE, ProgressReview
from reviews.progress.repository import ProgressRepository
from reviews.progress.schemas import ProgressReviewIn
from reviews.review import tenancy
from reviews.review.access import Part, get_review, publish_about, record
from reviews.review.history import reference
from reviews.review.models import Review, Role
from reviews.workshop.repository import WorkshopRepository
from reviews.workshop.service import READERS, action_theme_codes

PART = Part("progress")


async def get_progress(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> tuple[ProgressReview, Review]:
    review = await get_review(session, principal, review_id)
    if not tenancy.roles(principal, review) & READERS:
        raise PART.forbidden(
            "The 90-day review is read by the school, the team and the IC.", READERS
        )
    progress = await ProgressRepository(session).get(review_id)
    if progress is None:
        raise not_found(f"Review {review_id} has no 90-day review yet.")
    return progress, review


async def record_progress(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, request: ProgressReviewIn
) -> tuple[ProgressReview, Review]:
    """403 unless the IC; 409 outside progress_review or when already recorded; 422 unless
    every action of the agreed plan is rated, or for a date in the future."""
    review = await get_review(session, principal, review_id)
    if Role.IMPROVEMENT_CHAMPION not in tenancy.roles(principal, review):
        raise PART.forbidden(
            "The IC records the 90-day review.", frozenset({Role.IMPROVEMENT_CHAMPION})
        )
    repository = ProgressRepository(session)
    if review.state != RECORDING_STATE or await repository.get(review_id) is not None:
        done = review.state == RECORDING_STATE
        raise ProblemError(
            409,
            "Already recorded" if done else "Not the time for it",
            detail="The 90-day review is recorded once, in "
            f"{RECORDING_STATE.value!r} (the review is {review.state.value!r}).",
            type_="progress-not-recordable",
            extensions={"state": review.state.value},
        )
    plan = await WorkshopRepository(session).plan(review_id)
    actions = {} if plan is None else {a.id: a for a in plan.actions}
    rated = [r.action_id for r in request.ratings]
    errors = [
        {"field": f"body.ratings.{i}.action_id", "message": "Not an action of the agreed plan"}
        for i, action_id in enumerate(rated)
        if action_id not in actions
    ]
    errors += [
        {"field": "body.ratings", "message": f"Action {a} is not rated"}
        for a in actions
        if a not in rated
    ]
    if request.reviewed_on > utcnow().date():
        errors.append({"field": "body.reviewed_on", "message": "Not in the future"})
    if errors:
        raise validation_failed(errors, "Rate every action of the agreed plan once.")
    person = tenancy.person_id(principal)
    assert person is not None  # the IC is a person
    assert plan is not None  # every rating names one of its actions
    progress = ProgressReview(
        review_id=review.id,
        reviewed_on=request.reviewed_on,
        reviewed_by=person,
        ratings=[r.model_dump(mode="json") for r in request.ratings],
        created_at=utcnow(),
    )
    repository.add(progress)
    review.progress_reviewed_on = request.reviewed_on
    await session.flush()
    record(
        session,
        review,
        "progress_reviewed",
        {
            "progress.reviewed_on": {"from": None, "to": request.reviewed_on.isoformat()},
            "progress.ratings": {"from": None, "to": progress.ratings},
        },
        subject=principal.subject,
        person=person,
    )
    codes = await action_theme_codes(session, review_id, plan.actions)
    payload = ProgressReviewedPayload(
        **reference(review),
        reviewed_on=request.reviewed_on,
        due_date=review.progress_review_due,
        on_time=request.reviewed_on <= review.progress_review_due,
        ratings=[
            RatedAction(
                action_id=r.action_id,
                kind=actions[r.action_id].kind,
                theme_codes=codes[r.action_id],
                rating=r.rating,
            )
            for r in request.ratings
        ],
    )
    publish_about(session, review, PROGRESS_REVIEWED, payload)
    await session.commit()
    return progress, review
