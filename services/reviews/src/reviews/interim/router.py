"""Routes of /v1/reviews/{id}/action-plan/actions/{action_id}/updates: interim progress."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from reviews.deps import ReviewsReader, ReviewsWriter, SessionDep
from reviews.interim import service
from reviews.interim.schemas import ActionUpdateIn, ActionUpdateOut, ActionUpdatesOut

router = APIRouter(prefix="/v1/reviews", tags=["workshop"])

ReviewId = Annotated[UUID, Path(description="Review id (from the schedule)")]
ActionId = Annotated[UUID, Path(description="An action of the review's plan")]


@router.post(
    "/{review_id}/action-plan/actions/{action_id}/updates",
    name="add_action_update",
    summary="Note an action's progress",
    description=(
        "By the IC or the school, after the plan is agreed and before the 90-day review is "
        "recorded (409 otherwise): the day, a note and the success criteria `met`, `partly` "
        "or `not_yet` (a date in the future is 422). Appended to the action's updates and the "
        "review's history; emits `reviews.action.updated` (the note only when the agreement "
        "names schools to the partnership)."
    ),
    status_code=201,
    response_model=ActionUpdateOut,
)
async def add_action_update(
    review_id: ReviewId,
    action_id: ActionId,
    body: ActionUpdateIn,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> ActionUpdateOut:
    update = await service.add_update(session, principal, review_id, action_id, body)
    response.headers["Location"] = (
        f"/v1/reviews/{review_id}/action-plan/actions/{action_id}/updates"
    )
    return ActionUpdateOut.of(update)


@router.get(
    "/{review_id}/action-plan/actions/{action_id}/updates",
    name="list_action_updates",
    summary="An action's progress updates",
    description="Oldest first; for the school, the team and the IC (403 for others).",
    response_model=ActionUpdatesOut,
)
async def list_action_updates(
    review_id: ReviewId, action_id: ActionId, session: SessionDep, principal: ReviewsReader
) -> ActionUpdatesOut:
    updates = await service.list_updates(session, principal, review_id, action_id)
    return ActionUpdatesOut(data=[ActionUpdateOut.of(u) for u in updates])
