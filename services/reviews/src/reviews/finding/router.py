"""Routes of /v1/reviews/{id}/findings: the team's findings, with their triangulation."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from common.http.etag import IfMatchVersion, set_etag
from common.http.idempotency import IdempotencyKey
from common.http.pagination import Page, Pagination, Sync
from reviews.deps import ReviewsReader, ReviewsWriter, SessionDep
from reviews.finding import service
from reviews.finding.schemas import FindingIn, FindingOut, FindingPatch

router = APIRouter(prefix="/v1/reviews", tags=["findings"])

ReviewId = Annotated[UUID, Path(description="Review id (from the schedule)")]
FindingId = Annotated[UUID, Path(description="Finding id")]


@router.post(
    "/{review_id}/findings",
    name="create_finding",
    summary="Record a finding",
    description=(
        "By a member of the review team, in `review_day`, `feedback` or `report_drafted`. Its "
        "evidence items and enquiry question must be this review's; theme codes must be in the "
        "taxonomy. Send `Idempotency-Key` to retry safely. Kept in the review's history."
    ),
    status_code=201,
    response_model=FindingOut,
)
async def create_finding(
    review_id: ReviewId,
    body: FindingIn,
    idempotency: IdempotencyKey,
    session: SessionDep,
    principal: ReviewsWriter,
) -> Response:
    stored = await service.create_finding(session, principal, review_id, body, idempotency)
    return stored.to_response()


@router.get(
    "/{review_id}/findings",
    name="list_findings",
    summary="A review's findings",
    description=(
        "For the team, the school and the IC (403 for others); oldest first. Sync with "
        "`updated_since` and `after_id` (the `updated_at` and `id` of the last finding you "
        "hold): the list is then oldest change first. A withdrawn finding leaves the list; "
        "the review's history tells it (`finding_withdrawn`, followed with its `after_id`)."
    ),
    response_model=Page[FindingOut],
)
async def list_findings(
    review_id: ReviewId,
    session: SessionDep,
    principal: ReviewsReader,
    params: Pagination,
    sync: Sync,
) -> Page[FindingOut]:
    rows, next_cursor = await service.list_findings(session, principal, review_id, params, sync)
    return Page(data=rows, next_cursor=next_cursor)


@router.get(
    "/{review_id}/findings/{finding_id}",
    name="get_finding",
    summary="A finding",
    response_model=FindingOut,
)
async def get_finding(
    review_id: ReviewId,
    finding_id: FindingId,
    response: Response,
    session: SessionDep,
    principal: ReviewsReader,
) -> FindingOut:
    finding = await service.get_finding(session, principal, review_id, finding_id)
    set_etag(response, finding.version)
    return finding


@router.patch(
    "/{review_id}/findings/{finding_id}",
    name="edit_finding",
    summary="Edit a finding",
    description=(
        "By any member of the team, with `If-Match`. When someone else changed it first the "
        "answer is 412 with `current` (their version) and `current_etag`: merge and retry."
    ),
    response_model=FindingOut,
)
async def edit_finding(
    review_id: ReviewId,
    finding_id: FindingId,
    body: FindingPatch,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ReviewsWriter,
) -> FindingOut:
    finding = await service.edit_finding(session, principal, review_id, finding_id, body, expected)
    set_etag(response, finding.version)
    return finding


@router.delete(
    "/{review_id}/findings/{finding_id}",
    name="withdraw_finding",
    summary="Withdraw a finding",
    description="By a member of the team, with `If-Match`, before the report is published.",
    status_code=204,
)
async def withdraw_finding(
    review_id: ReviewId,
    finding_id: FindingId,
    expected: IfMatchVersion,
    session: SessionDep,
    principal: ReviewsWriter,
) -> Response:
    await service.delete_finding(session, principal, review_id, finding_id, expected)
    return Response(status_code=204)
