"""Routes of /v1/digests: the weekly digest of a partnership for its lead."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from reviews.deps import ReviewsReader, SessionDep
from reviews.digest import service
from reviews.digest.schemas import DigestOut

router = APIRouter(prefix="/v1/digests", tags=["digests"])


@router.get(
    "/partnerships/{partnership_id}",
    name="get_partnership_digest",
    summary="A partnership's weekly digest",
    description=(
        "For the partnership's lead (a token whose `partnerships` claim names it; anyone else "
        "gets 404): the milestones due this week and next that their review has not reached, "
        "the overdue ones (judged by where each review is now), and the reviews held this "
        "week and next. JSON for a front end or a mailer to render; `week` is an ISO week "
        "(Monday to Sunday), this week by default."
    ),
    response_model=DigestOut,
)
async def get_partnership_digest(
    session: SessionDep,
    principal: ReviewsReader,
    partnership_id: Annotated[UUID, Path(description="Partnership id")],
    week: Annotated[
        str | None,
        Query(
            pattern=r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$",
            description="ISO week, e.g. 2027-W06",
            examples=["2027-W06"],
        ),
    ] = None,
) -> DigestOut:
    return await service.digest(session, principal, partnership_id, week)
