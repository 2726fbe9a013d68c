"""Routes of /v1/planned-reviews: the published schedule's reviews, changed one at a time."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from common.http.etag import IfMatchVersion, set_etag
from common.http.pagination import Page, Pagination, Sync
from scheduling.deps import ScheduleReader, ScheduleWriter, SessionDep
from scheduling.planning.kernel.models import PlanStatus
from scheduling.planning.reviews import service
from scheduling.planning.reviews.schemas import (
    CancellationIn,
    PlannedReviewOut,
    PlannedReviewPatch,
    review_out,
)

router = APIRouter(prefix="/v1/planned-reviews", tags=["planned reviews"])

ReviewId = Annotated[UUID, Path(description="Planned review id (the review's id)")]
BREAKS_RULES: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "The change breaks hard rules (listed in `violations`), or the review "
        "is cancelled"
    }
}


@router.get(
    "",
    name="list_planned_reviews",
    summary="Planned reviews",
    description=(
        "The published reviews the caller may see: the LA and the partnership's lead see "
        "theirs, a school (or its trust) its own, a person the reviews they are on."
    ),
    response_model=Page[PlannedReviewOut],
)
async def list_reviews(
    session: SessionDep,
    principal: ScheduleReader,
    params: Pagination,
    sync: Sync,
    cycle: Annotated[UUID | None, Query(description="Cycle id")] = None,
    urn: Annotated[int | None, Query(ge=100000, le=999999, description="Reviewed school")] = None,
    person: Annotated[UUID | None, Query(description="On the team or the IC")] = None,
    status: Annotated[PlanStatus | None, Query(description="planned or cancelled")] = None,
) -> Page[PlannedReviewOut]:
    rows, next_cursor = await service.list_reviews(
        session,
        principal,
        params,
        cycle_id=cycle,
        urn=urn,
        person_id=person,
        status=status,
        sync=sync,
    )
    names = await service.names_for(session, rows)
    return Page(data=[review_out(r, names) for r in rows], next_cursor=next_cursor)


@router.get(
    "/{review_id}",
    name="get_planned_review",
    summary="A planned review",
    response_model=PlannedReviewOut,
)
async def get_review(
    review_id: ReviewId, response: Response, session: SessionDep, principal: ScheduleReader
) -> PlannedReviewOut:
    review = await service.get_review(session, principal, review_id)
    set_etag(response, review.version)
    return review_out(review, await service.names_for(session, [review]))


@router.patch(
    "/{review_id}",
    name="patch_planned_review",
    summary="Change a planned review",
    description=(
        "Days, mode, lead, reviewers or IC; the milestones follow the days by the cycle's "
        "policy. Checked against every hard rule by the independent checker with the rest of "
        "the LA's published schedule: 409 listing each rule it breaks, unless `force` with a "
        "`reason` (recorded). Needs `If-Match`. Publishes `rescheduled` or `team_changed`."
    ),
    response_model=PlannedReviewOut,
    responses=BREAKS_RULES,
)
async def patch_review(
    review_id: ReviewId,
    body: PlannedReviewPatch,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ScheduleWriter,
) -> PlannedReviewOut:
    review = await service.patch_review(session, principal, review_id, body, expected)
    set_etag(response, review.version)
    return review_out(review, await service.names_for(session, [review]))


@router.post(
    "/{review_id}/cancellation",
    name="cancel_planned_review",
    summary="Cancel a planned review",
    description="Needs `If-Match`. Publishes `scheduling.review.cancelled` with the reason.",
    response_model=PlannedReviewOut,
    responses={409: {"description": "Already cancelled"}},
)
async def cancel_review(
    review_id: ReviewId,
    body: CancellationIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ScheduleWriter,
) -> PlannedReviewOut:
    review = await service.cancel_review(session, principal, review_id, body.reason, expected)
    set_etag(response, review.version)
    return review_out(review, await service.names_for(session, [review]))
