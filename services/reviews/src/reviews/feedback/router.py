"""Routes of /v1/reviews/{id}/host-feedback: the host school's feedback on its review."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from common.http.etag import set_etag
from reviews.deps import ReviewsReader, ReviewsWriter, SessionDep
from reviews.feedback import service
from reviews.feedback.schemas import HostFeedbackIn, HostFeedbackOut

router = APIRouter(prefix="/v1/reviews", tags=["host feedback"])

ReviewId = Annotated[UUID, Path(description="Review id (from the schedule)")]


@router.post(
    "/{review_id}/host-feedback",
    name="give_host_feedback",
    summary="Give the host school's feedback",
    description=(
        "By the host school's head, once (409 after), when the report is published or later "
        "(409 before): preparation, challenge and the report's usefulness rated 1-5, and an "
        "optional comment. Recorded in the history; emits `reviews.host_feedback.given` "
        "(ratings only). The ETag is the review's."
    ),
    status_code=201,
    response_model=HostFeedbackOut,
)
async def give_host_feedback(
    review_id: ReviewId,
    body: HostFeedbackIn,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> HostFeedbackOut:
    feedback, review = await service.give_feedback(session, principal, review_id, body)
    set_etag(response, review.version)
    response.headers["Location"] = f"/v1/reviews/{review_id}/host-feedback"
    return HostFeedbackOut.of(feedback)


@router.get(
    "/{review_id}/host-feedback",
    name="get_host_feedback",
    summary="The host school's feedback",
    description="For the school and the partnership lead (403 for others); 404 until given.",
    response_model=HostFeedbackOut,
)
async def get_host_feedback(
    review_id: ReviewId, session: SessionDep, principal: ReviewsReader
) -> HostFeedbackOut:
    return HostFeedbackOut.of(await service.get_feedback(session, principal, review_id))
