"""Routes of /v1/reviews/{id}/workshop and /v1/reviews/{id}/action-plan."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from common.http.etag import IfMatchVersion, set_etag
from reviews.deps import ReviewsReader, ReviewsWriter, SessionDep
from reviews.workshop import service
from reviews.workshop.schemas import (
    ActionPlanIn,
    ActionPlanOut,
    AgreementIn,
    WorkshopIn,
    WorkshopOut,
)

router = APIRouter(prefix="/v1/reviews", tags=["workshop"])

ReviewId = Annotated[UUID, Path(description="Review id (from the schedule)")]


@router.get(
    "/{review_id}/workshop",
    name="get_workshop",
    summary="The improvement workshop",
    description="For the school, the team and the IC (403 for others); 404 until recorded.",
    response_model=WorkshopOut,
)
async def get_workshop(
    review_id: ReviewId, response: Response, session: SessionDep, principal: ReviewsReader
) -> WorkshopOut:
    workshop = await service.get_workshop(session, principal, review_id)
    set_etag(response, workshop.version)
    return WorkshopOut.of(workshop)


@router.put(
    "/{review_id}/workshop",
    name="set_workshop",
    summary="Record the improvement workshop",
    description=(
        "Date, attendance and GROW notes, by the IC or the school in `workshop` (409 otherwise). "
        "`If-Match`: the review's ETag for the first record, then the workshop's. Kept in the "
        "review's history."
    ),
    response_model=WorkshopOut,
)
async def set_workshop(
    review_id: ReviewId,
    body: WorkshopIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> WorkshopOut:
    workshop = await service.set_workshop(session, principal, review_id, body, expected)
    set_etag(response, workshop.version)
    return WorkshopOut.of(workshop)


@router.get(
    "/{review_id}/action-plan",
    name="get_action_plan",
    summary="The action plan",
    description=(
        "For the school, the team and the IC (403 for others); 404 until written. An action's "
        "theme codes are those of the findings it addresses."
    ),
    response_model=ActionPlanOut,
)
async def get_action_plan(
    review_id: ReviewId, response: Response, session: SessionDep, principal: ReviewsReader
) -> ActionPlanOut:
    plan, codes = await service.get_plan(session, principal, review_id)
    set_etag(response, plan.version)
    return ActionPlanOut.of(plan, codes)


@router.put(
    "/{review_id}/action-plan",
    name="set_action_plan",
    summary="Write the action plan",
    description=(
        "The whole plan, by the IC or the school in `workshop` (409 otherwise); keep an "
        "action's `id` to keep it. `If-Match`: the review's ETag for the first plan, then the "
        "plan's. Findings must be this review's; research sources are knowledge library ids, "
        "stored as given. Kept in the review's history."
    ),
    response_model=ActionPlanOut,
)
async def set_action_plan(
    review_id: ReviewId,
    body: ActionPlanIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> ActionPlanOut:
    plan, codes = await service.set_plan(session, principal, review_id, body, expected)
    set_etag(response, plan.version)
    return ActionPlanOut.of(plan, codes)


@router.post(
    "/{review_id}/action-plan/agreement",
    name="agree_action_plan",
    summary="Agree the action plan",
    description=(
        "By the IC, with the review's `If-Match`, once the workshop and a plan are recorded "
        "(409 otherwise): moves the review to `action_plan_agreed` (the only way there) and "
        "emits `reviews.action_plan.agreed` (the actions' words only when the agreement names "
        "schools to the partnership). The ETag is the review's."
    ),
    response_model=ActionPlanOut,
)
async def agree_action_plan(
    review_id: ReviewId,
    body: AgreementIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> ActionPlanOut:
    review, plan, codes = await service.agree_plan(session, principal, review_id, body, expected)
    set_etag(response, review.version)
    return ActionPlanOut.of(plan, codes)
