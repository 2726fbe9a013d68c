"""The review's history and lifecycle events, shared by every aggregate of a review: one
history row per change, and the transition (and close) events, both in the caller's
transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import utcnow
from common.messaging import publish
from contracts.events import EventDefinition, PayloadT, TenancyPath
from contracts.reviews import (
    REVIEW_CLOSED,
    REVIEW_TRANSITIONED,
    ReviewClosedPayload,
    ReviewState,
    ReviewTransitionedPayload,
)
from reviews.review.models import Review, ReviewHistory
from reviews.review.repository import HistoryRepository

SCHEDULE_ACTOR = "scheduling"


def tenancy_path(review: Review) -> TenancyPath:
    return TenancyPath(la=review.la_code, partnership=str(review.partnership_id), urn=review.urn)


def event_keys(review: Review) -> tuple[str, str]:
    """The CloudEvent subject and the partition key of every event about ``review``."""
    return f"reviews/{review.id}", f"review:{review.id}"


def publish_about(
    session: AsyncSession, review: Review, definition: EventDefinition[PayloadT], payload: PayloadT
) -> None:
    """Publish an event about ``review`` in the caller's transaction: the review's tenancy, its
    subject, and its partition key (a review's events stay in order)."""
    subject, key = event_keys(review)
    path = tenancy_path(review)
    publish(session, definition, payload, tenancy=path, subject=subject, partition_key=key)


def record(
    session: AsyncSession,
    review: Review,
    action: str,
    changes: dict[str, Any],
    *,
    event_id: str | None = None,
    subject: str | None = None,
    person: uuid.UUID | None = None,
    reason: str | None = None,
) -> None:
    HistoryRepository(session).append(
        ReviewHistory(
            review_id=review.id,
            at=utcnow(),
            action=action,
            actor_subject=subject if event_id is None else SCHEDULE_ACTOR,
            actor_person_id=person,
            event_id=event_id,
            reason=reason,
            changes=changes,
            review_version=review.version,
        )
    )


def reference(review: Review) -> dict[str, Any]:
    """The fields of :class:`contracts.reviews.ReviewRef` every review event starts with."""
    return {
        "review_id": review.id,
        "cycle_id": review.cycle_id,
        "partnership_id": review.partnership_id,
        "la_code": review.la_code,
        "urn": review.urn,
        "academic_year": review.academic_year,
    }


def publish_transition(
    session: AsyncSession, review: Review, origin: ReviewState, *, person: uuid.UUID | None
) -> None:
    payload = ReviewTransitionedPayload(
        **reference(review),
        from_state=origin,
        to_state=review.state,
        by_person_id=person,
        version=review.version,
        occurred_at=review.state_changed_at,
    )
    publish_about(session, review, REVIEW_TRANSITIONED, payload)
    if review.state == ReviewState.CLOSED:
        closed = ReviewClosedPayload(
            **reference(review),
            version=review.version,
            closed_at=review.state_changed_at,
        )
        publish_about(session, review, REVIEW_CLOSED, closed)
