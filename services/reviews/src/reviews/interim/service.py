"""Interim progress updates on an agreed plan's actions: the IC or the school notes one (date,
note, success criteria met, partly or not yet) after the agreement and before the 90-day review
is recorded. One use case, one commit: the update, the review's history row and
``reviews.action.updated`` (the note only as the agreement allows) in the same transaction.
Read by the school, the team and the IC."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.problems import ProblemError, not_found, validation_failed
from contracts.reviews import ACTION_UPDATED, ActionUpdatedPayload
from reviews.interim.models import UPDATING_STATES, ActionUpdate
from reviews.interim.repository import ActionUpdateRepository
from reviews.interim.schemas import ActionUpdateIn
from reviews.progress.repository import ProgressRepository
from reviews.review import tenancy
from reviews.review.access import Part, get_review, publish_about, record
from reviews.review.history import reference
from reviews.review.models import Review
from reviews.workshop.models import PlannedAction
from reviews.workshop.service import EDITORS, READERS

PART = Part("action-update")


async def _action(session: AsyncSession, review: Review, action_id: uuid.UUID) -> PlannedAction:
    action = await ActionUpdateRepository(session).action(review.id, action_id)
    if action is None:
        raise not_found(f"Review {review.id} has no action {action_id}.")
    return action


async def list_updates(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, action_id: uuid.UUID
) -> Sequence[ActionUpdate]:
    review = await get_review(session, principal, review_id)
    if not tenancy.roles(principal, review) & READERS:
        raise PART.forbidden("Progress updates are read by the school, team and IC.", READERS)
    await _action(session, review, action_id)
    return await ActionUpdateRepository(session).of_action(action_id)


async def _check_open(session: AsyncSession, review: Review) -> None:
    if review.state in UPDATING_STATES and await ProgressRepository(session).get(review.id) is None:
        return
    raise ProblemError(
        409,
        "Not the time for a progress update",
        detail="Progress is noted after the plan is agreed and before the 90-day review is "
        f"recorded (the review is {review.state.value!r}).",
        type_="action-update-not-open",
        extensions={"state": review.state.value},
    )


async def add_update(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    action_id: uuid.UUID,
    request: ActionUpdateIn,
) -> ActionUpdate:
    """404 for a review the caller cannot see or an action not of it; 403 unless the IC or the
    school; 409 before the agreement or once the 90-day review is recorded; 422 for a date in
    the future."""
    review = await get_review(session, principal, review_id)
    if not tenancy.roles(principal, review) & EDITORS:
        raise PART.forbidden("The IC and the school note an action's progress.", EDITORS)
    action = await _action(session, review, action_id)
    await _check_open(session, review)
    if request.noted_on > utcnow().date():
        message = "Not in the future"
        raise validation_failed([{"field": "body.noted_on", "message": message}])
    person = tenancy.person_id(principal)
    update = ActionUpdate(
        review_id=review.id,
        action_id=action.id,
        noted_on=request.noted_on,
        note=request.note,
        criteria=request.criteria,
        noted_by=person,
    )
    repository = ActionUpdateRepository(session)
    repository.add(update)
    await session.flush()
    prefix = f"action.{action.id}.update.{update.id}."
    changes = {
        f"{prefix}noted_on": {"from": None, "to": update.noted_on.isoformat()},
        f"{prefix}criteria": {"from": None, "to": update.criteria.value},
        f"{prefix}note": {"from": None, "to": update.note},
    }
    record(session, review, "action_updated", changes, subject=principal.subject, person=person)
    shared = await tenancy.text_may_leave_school(session, review)
    payload = ActionUpdatedPayload(
        **reference(review),
        update_id=update.id,
        action_id=action.id,
        kind=action.kind,
        noted_on=update.noted_on,
        criteria=update.criteria,
        note=update.note if shared else None,
        text_shared=shared,
    )
    publish_about(session, review, ACTION_UPDATED, payload)
    await session.commit()
    return update
