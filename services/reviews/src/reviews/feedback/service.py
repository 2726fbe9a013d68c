"""Host feedback: given once by the host school's head after the report is published (history
and ``reviews.host_feedback.given`` in the same transaction); read by the school and the
partnership lead."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.problems import ProblemError, not_found
from contracts.reviews import HOST_FEEDBACK_GIVEN, HostFeedbackGivenPayload
from reviews.feedback.models import GIVING_STATES, RATINGS, HostFeedback
from reviews.feedback.repository import FeedbackRepository
from reviews.feedback.schemas import HostFeedbackIn
from reviews.review import tenancy
from reviews.review.access import Part, get_review, publish_about, record
from reviews.review.history import reference
from reviews.review.models import Review, Role

PART = Part("host-feedback")
READERS = frozenset({Role.SCHOOL, Role.PARTNERSHIP_LEAD})


async def get_feedback(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> HostFeedback:
    review = await get_review(session, principal, review_id)
    if not tenancy.roles(principal, review) & READERS:
        raise PART.forbidden(
            "Host feedback is read by the school and the partnership lead.", READERS
        )
    feedback = await FeedbackRepository(session).get(review_id)
    if feedback is None:
        raise not_found(f"Review {review_id} has no host feedback yet.")
    return feedback


async def give_feedback(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, request: HostFeedbackIn
) -> tuple[HostFeedback, Review]:
    """403 unless the school's head; 409 before the report is published (or after a
    cancellation), and once given."""
    review = await get_review(session, principal, review_id)
    if Role.SCHOOL not in tenancy.roles(principal, review):
        raise PART.forbidden("The host school's head gives the feedback.", [Role.SCHOOL])
    repository = FeedbackRepository(session)
    given = await repository.get(review_id) is not None
    if given or review.state not in GIVING_STATES:
        raise ProblemError(
            409,
            "Already given" if given else "Not the time for it",
            detail="The host school gives its feedback once, after the report is published "
            f"(the review is {review.state.value!r}).",
            type_="host-feedback-not-givable",
            extensions={"state": review.state.value},
        )
    person = tenancy.person_id(principal)
    feedback = HostFeedback(
        review_id=review.id,
        preparation=request.preparation,
        challenge=request.challenge,
        report_usefulness=request.report_usefulness,
        comment=request.comment,
        given_by=person,
        given_at=utcnow(),
    )
    repository.add(feedback)
    await session.flush()
    changes = {
        f"host_feedback.{name}": {"from": None, "to": getattr(feedback, name)}
        for name in (*RATINGS, "comment")
    }
    record(
        session, review, "host_feedback_given", changes, subject=principal.subject, person=person
    )
    payload = HostFeedbackGivenPayload(
        **reference(review),
        preparation=feedback.preparation,
        challenge=feedback.challenge,
        report_usefulness=feedback.report_usefulness,
        given_at=feedback.given_at,
    )
    publish_about(session, review, HOST_FEEDBACK_GIVEN, payload)
    await session.commit()
    return feedback, review
