"""Routes of /v1/evaluation-packs/{partnership_id}: a partnership's evaluation pack for a year."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from contracts.schedule import AcademicYear
from reviews.deps import ReviewsReader, SessionDep
from reviews.evaluation import service
from reviews.evaluation.schemas import EvaluationPack

router = APIRouter(prefix="/v1/evaluation-packs", tags=["evaluation"])

PartnershipId = Annotated[UUID, Path(description="Partnership id (from the directory)")]
Year = Annotated[AcademicYear, Query(description="The academic year, e.g. 2026-27")]
CSV = "text/csv"
_CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The per-lead-reviewer table as CSV",
        "content": {CSV: {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/{partnership_id}",
    name="get_evaluation_pack",
    summary="A partnership's evaluation pack for a year",
    description=(
        "For the partnership's lead (anyone else: 404). The year's reviews counted (planned, "
        "held, reported, closed, cancelled, with host feedback); over the reported reviews: "
        "consistency by lead reviewer (findings per review, triangulated share, evidence per "
        "finding), the host schools' feedback averaged, and the strengths and areas for "
        "development whose themes recur in at least two reviews (codes with the taxonomy's "
        "labels). Counts and codes only, never a finding's or a comment's words."
    ),
    response_model=EvaluationPack,
)
async def get_evaluation_pack(
    partnership_id: PartnershipId,
    academic_year: Year,
    session: SessionDep,
    principal: ReviewsReader,
) -> EvaluationPack:
    return await service.evaluation_pack(session, principal, partnership_id, academic_year)


@router.get(
    "/{partnership_id}/lead-reviewers.csv",
    name="get_evaluation_lead_reviewers_csv",
    summary="The evaluation pack's per-lead-reviewer table, as CSV",
    description=(
        "The `lead_reviewers` table of `GET /v1/evaluation-packs/{partnership_id}` as "
        "CSV (same scope: the partnership's lead; anyone else 404). A share without findings "
        "is an empty cell."
    ),
    response_class=Response,
    responses=_CSV_RESPONSE,
)
async def get_evaluation_lead_reviewers_csv(
    partnership_id: PartnershipId,
    academic_year: Year,
    session: SessionDep,
    principal: ReviewsReader,
) -> Response:
    evaluation = await service.evaluation_pack(session, principal, partnership_id, academic_year)
    return Response(service.lead_reviewers_csv(evaluation), media_type=f"{CSV}; charset=utf-8")
