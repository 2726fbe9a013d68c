"""Routes of /v1/reviews/{id}/progress-review: the 90-day review."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from common.http.etag import set_etag
from reviews.deps import ReviewsReader, ReviewsWriter, SessionDep
from reviews.progress import service
from reviews.progress.schemas import ProgressReviewIn, ProgressReviewOut

router = APIRouter(prefix="/v1/reviews", tags=["progress"])

ReviewId = Annotated[UUID, Path(description="Review id (from the schedule)")]


@router.post(
    "/{review_id}/progress-review",
    name="record_progress_review",
    summary="Record the 90-day review",
    description=(
        "By the IC in `progress_review`, once (409 after): every action of the agreed plan "
        "rated on_track, at_risk, off_track or done, with the evidence of its impact. Emits "
        "`reviews.progress.reviewed` (`on_time` against the schedule's `progress_review_due`); "
        "the review can close then. The ETag is the review's."
    ),
    status_code=201,
    response_model=ProgressReviewOut,
)
async def record_progress_review(
    review_id: ReviewId,
    body: ProgressReviewIn,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> ProgressReviewOut:
    progress, review = await service.record_progress(session, principal, review_id, body)
    set_etag(response, review.version)
    response.headers["Location"] = f"/v1/reviews/{review_id}/progress-review"
    return ProgressReviewOut.of(progress, review.progress_review_due)


@router.get(
    "/{review_id}/progress-review",
    name="get_progress_review",
    summary="The 90-day review",
    description="For the school, the team and the IC (403 for others); 404 until recorded.",
    response_model=ProgressReviewOut,
)
async def get_progress_review(
    review_id: ReviewId, session: SessionDep, principal: ReviewsReader
) -> ProgressReviewOut:
    progress, review = await service.get_progress(session, principal, review_id)
    return ProgressReviewOut.of(progress, review.progress_review_due)
