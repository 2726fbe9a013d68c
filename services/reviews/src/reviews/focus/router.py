"""Routes of /v1/reviews/{id}/focus: the focus, its enquiry questions and challenge notes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from common.http.etag import IfMatchVersion, set_etag
from common.http.pagination import After, Page, Pagination
from reviews.deps import ReviewsReader, ReviewsWriter, SessionDep
from reviews.focus import service
from reviews.focus.schemas import ChallengeIn, ChallengeOut, FocusIn, FocusOut

router = APIRouter(prefix="/v1/reviews", tags=["focus"])

ReviewId = Annotated[UUID, Path(description="Review id (from the schedule)")]


@router.get(
    "/{review_id}/focus",
    name="get_focus",
    summary="A review's focus and enquiry questions",
    description="404 until the school or the lead reviewer has set a focus.",
    response_model=FocusOut,
)
async def get_focus(
    review_id: ReviewId, response: Response, session: SessionDep, principal: ReviewsReader
) -> FocusOut:
    focus = await service.get_focus(session, principal, review_id)
    set_etag(response, focus.version)
    return FocusOut.of(focus)


@router.put(
    "/{review_id}/focus",
    name="set_focus",
    summary="Set the focus and enquiry questions",
    description=(
        "By the school or the lead reviewer, while the review is in `self_review` or "
        "`pre_review` (409 otherwise). `If-Match`: the review's ETag for the first focus, then "
        "the focus's own. `agreed: true` (the lead reviewer, in `pre_review`) marks it agreed; "
        "a PUT without it withdraws an agreement. Kept in the review's history."
    ),
    response_model=FocusOut,
)
async def set_focus(
    review_id: ReviewId,
    body: FocusIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> FocusOut:
    focus = await service.set_focus(session, principal, review_id, body, expected)
    set_etag(response, focus.version)
    return FocusOut.of(focus)


@router.post(
    "/{review_id}/focus/challenges",
    name="challenge_focus",
    summary="Challenge the focus",
    description=(
        "A team member's note (append-only), while the review is in `self_review` or "
        "`pre_review` and has a focus. Kept in the review's history."
    ),
    status_code=201,
    response_model=ChallengeOut,
)
async def challenge_focus(
    review_id: ReviewId, body: ChallengeIn, session: SessionDep, principal: ReviewsWriter
) -> ChallengeOut:
    return ChallengeOut.of(await service.challenge(session, principal, review_id, body))


@router.get(
    "/{review_id}/focus/challenges",
    name="list_focus_challenges",
    summary="The challenge notes on the focus",
    description=(
        "Oldest first (append-only). To follow them, pass the `id` of the last note you hold "
        "as `after_id`."
    ),
    response_model=Page[ChallengeOut],
)
async def list_focus_challenges(
    review_id: ReviewId,
    session: SessionDep,
    principal: ReviewsReader,
    params: Pagination,
    after: After,
) -> Page[ChallengeOut]:
    rows, next_cursor = await service.challenges(session, principal, review_id, params, after)
    return Page(data=[ChallengeOut.of(c) for c in rows], next_cursor=next_cursor)
