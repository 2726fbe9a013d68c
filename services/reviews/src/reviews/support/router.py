"""Routes of /v1/support-requests: what a partner school is asked to support, and its answer."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from reviews.deps import ReviewsReader, ReviewsWriter, SessionDep
from reviews.support import service
from reviews.support.schemas import SupportAnswerIn, SupportRequestOut, SupportRequestsOut

router = APIRouter(prefix="/v1/support-requests", tags=["workshop"])

ActionId = Annotated[UUID, Path(description="The action the school is asked to support")]


@router.get(
    "",
    name="list_support_requests",
    summary="Actions my school is asked to support",
    description=(
        "The actions of agreed plans that name a school of the caller's token as "
        "`support_urn`, with their status (`asked`, `accepted`, `declined`); empty for others."
    ),
    response_model=SupportRequestsOut,
)
async def list_support_requests(
    session: SessionDep, principal: ReviewsReader
) -> SupportRequestsOut:
    found = await service.list_requests(session, principal)
    return SupportRequestsOut(data=[SupportRequestOut.of(a, r.urn) for a, r in found])


@router.post(
    "/{action_id}/answer",
    name="answer_support_request",
    summary="Accept or decline to support an action",
    description=(
        "By the school asked (a token naming its URN, `reviews:write`; 404 for anyone else), "
        "once (409 after): `accepted` or `declined`, with an optional note. Kept in the "
        "review's history; emits `reviews.support.answered`."
    ),
    response_model=SupportRequestOut,
)
async def answer_support_request(
    action_id: ActionId, body: SupportAnswerIn, session: SessionDep, principal: ReviewsWriter
) -> SupportRequestOut:
    action, review = await service.answer(session, principal, action_id, body)
    return SupportRequestOut.of(action, review.urn)
