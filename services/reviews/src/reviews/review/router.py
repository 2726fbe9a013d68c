"""Routes of /v1/reviews: the list, lifecycle transitions and history (the read of one review,
with its parts, is :mod:`reviews.embedded.router`)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from common.http.etag import IfMatchVersion, set_etag
from common.http.pagination import After, Page, Pagination, Sync
from contracts.reviews import ReviewState
from contracts.schedule import AcademicYear
from reviews.deps import ReviewsReader, ReviewsWriter, SessionDep
from reviews.review import service
from reviews.review.schemas import HistoryEntryOut, ReviewOut, TransitionIn

router = APIRouter(prefix="/v1/reviews", tags=["reviews"])

ReviewId = Annotated[UUID, Path(description="Review id (from the schedule)")]


@router.get(
    "",
    name="list_reviews",
    summary="List reviews",
    description=(
        "Reviews visible to the caller, oldest change first; sync with `updated_since`. "
        "`overdue=true`: a milestone date has passed before the review reached its stage."
    ),
    response_model=Page[ReviewOut],
)
async def list_reviews(
    session: SessionDep,
    principal: ReviewsReader,
    params: Pagination,
    sync: Sync,
    partnership: Annotated[UUID | None, Query(description="Partnership id")] = None,
    urn: Annotated[int | None, Query(ge=100000, le=999999, description="School URN")] = None,
    state: Annotated[ReviewState | None, Query(description="Lifecycle state")] = None,
    academic_year: Annotated[AcademicYear | None, Query(description="e.g. 2026-27")] = None,
    overdue: Annotated[bool | None, Query(description="Only overdue (or not overdue)")] = None,
) -> Page[ReviewOut]:
    rows, next_cursor = await service.list_reviews(
        session,
        principal,
        params,
        partnership_id=partnership,
        urn=urn,
        state=state,
        academic_year=academic_year,
        overdue=overdue,
        sync=sync,
    )
    today = service.today()
    return Page(data=[ReviewOut.of(r, today) for r in rows], next_cursor=next_cursor)


@router.post(
    "/{review_id}/transitions",
    name="transition_review",
    summary="Move a review to another state",
    description=(
        "Needs `If-Match`. A move that is not possible from the current state is a 409 whose "
        "`allowed` lists the possible next states; a move the caller's roles may not make is a "
        "403. Publishing the report and agreeing the action plan are made by their own routes "
        "(409 naming it in `use`); closing needs the 90-day review (409 with `missing`). "
        "Emits `reviews.review.transitioned` (and `.closed` on closing)."
    ),
    response_model=ReviewOut,
)
async def transition_review(
    review_id: ReviewId,
    body: TransitionIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> ReviewOut:
    review = await service.transition(session, principal, review_id, body, expected)
    set_etag(response, review.version)
    return ReviewOut.of(review, service.today())


@router.get(
    "/{review_id}/history",
    name="get_review_history",
    summary="A review's history",
    description=(
        "Every change to the review, oldest first (append-only). To follow it, pass the `id` "
        "of the last entry you hold as `after_id`."
    ),
    response_model=Page[HistoryEntryOut],
)
async def get_review_history(
    review_id: ReviewId,
    session: SessionDep,
    principal: ReviewsReader,
    params: Pagination,
    after: After,
) -> Page[HistoryEntryOut]:
    rows, next_cursor = await service.history(session, principal, review_id, params, after)
    return Page(data=[HistoryEntryOut.model_validate(h) for h in rows], next_cursor=next_cursor)
