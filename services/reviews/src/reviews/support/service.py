"""Support requests: the partner school an agreed plan names for an action (``support_urn``)
sees what it is asked and accepts or declines, once. Only a token naming that school (with
``reviews:write`` to answer) finds the request; anyone else gets 404. One use case, one commit:
the answer, the review's history row and ``reviews.support.answered`` together."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.problems import ProblemError, not_found
from contracts.reviews import SUPPORT_ANSWERED, SupportAnsweredPayload, SupportStatus
from reviews.review import tenancy
from reviews.review.access import publish_about, record
from reviews.review.history import reference
from reviews.review.models import Review
from reviews.support.repository import SupportRepository
from reviews.support.schemas import SupportAnswerIn
from reviews.workshop.models import PlannedAction


async def list_requests(
    session: AsyncSession, principal: Principal
) -> Sequence[tuple[PlannedAction, Review]]:
    return await SupportRepository(session).asked_of(tenancy.urns(principal))


async def answer(
    session: AsyncSession, principal: Principal, action_id: uuid.UUID, request: SupportAnswerIn
) -> tuple[PlannedAction, Review]:
    """404 unless the caller's token names the school asked; 409 once answered."""
    found = await SupportRepository(session).asked(action_id, tenancy.urns(principal))
    if found is None:
        raise not_found(f"No support request {action_id} for your school.")
    action, review = found
    if action.support_status != SupportStatus.ASKED:
        raise ProblemError(
            409,
            "Already answered",
            detail=f"The school has {action.support_status}: the answer is given once.",
            type_="support-already-answered",
            extensions={"status": str(action.support_status)},
        )
    person = tenancy.person_id(principal)
    action.support_status = SupportStatus(request.answer)
    action.support_answered_at, action.support_answered_by = utcnow(), person
    action.support_note = request.note
    await session.flush()
    prefix = f"action.{action.id}.support."
    changes = {
        f"{prefix}status": {"from": SupportStatus.ASKED.value, "to": request.answer},
        f"{prefix}note": {"from": None, "to": request.note},
    }
    record(session, review, "support_answered", changes, subject=principal.subject, person=person)
    assert action.support_urn is not None
    payload = SupportAnsweredPayload(
        **reference(review),
        action_id=action.id,
        support_urn=action.support_urn,
        status=action.support_status,
        answered_at=action.support_answered_at,
    )
    publish_about(session, review, SUPPORT_ANSWERED, payload)
    await session.commit()
    return action, review
