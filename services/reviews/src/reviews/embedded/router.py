"""``GET /v1/reviews/{id}`` with ``include=``. Answered with the serialised model directly: the
parts not asked for are left out (not null), so the plain read is the review as before."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from common.http.etag import etag_for
from reviews.deps import ReviewsReader, SessionDep
from reviews.embedded import service
from reviews.embedded.schemas import PARTS, ReviewWithPartsOut

router = APIRouter(prefix="/v1/reviews", tags=["reviews"])

ReviewId = Annotated[UUID, Path(description="Review id (from the schedule)")]
Include = Annotated[
    str | None,
    Query(
        max_length=100,
        description="Comma-separated parts to embed: `findings`, `evidence` (`team` is always "
        "there). Each part keeps its own read rule: a part the caller may not read is a 403.",
        examples=["findings,evidence"],
    ),
]


@router.get(
    "/{review_id}",
    name="get_review",
    summary="Get a review",
    description=(
        "The review. `include=findings,evidence` embeds the first page of each (as their own "
        "routes return with `limit=200`) in one request. The ETag is the review's version."
    ),
    response_model=ReviewWithPartsOut,
)
async def get_review(
    review_id: ReviewId, session: SessionDep, principal: ReviewsReader, include: Include = None
) -> Response:
    parts = service.parse_include(include)
    out = await service.read(session, principal, review_id, parts)
    body = out.model_dump_json(exclude={p for p in PARTS if p not in parts})
    return Response(body, media_type="application/json", headers={"ETag": etag_for(out.version)})
