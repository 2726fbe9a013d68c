"""Route of /v1/review-progress/{la_code}: a council's view of its year's reviews."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from contracts.schedule import AcademicYear
from reviews.deps import ReviewsReader, SessionDep
from reviews.oversight import service
from reviews.oversight.schemas import Progress

router = APIRouter(prefix="/v1/review-progress", tags=["review progress"])

LaCode = Annotated[
    str, Path(pattern=r"^\d{3}$", description="DfE local authority code", examples=["881"])
]
Year = Annotated[AcademicYear | None, Query(description="e.g. 2026-27 (default: the current one)")]


@router.get(
    "/{la_code}",
    name="get_review_progress",
    summary="An LA's year: each partnership's reviews planned, held, reported, 90-day done, "
    "overdue",
    description="For a token of the LA (any other: 404). Counts of the LA's reviews of "
    "`academic_year`, in total and for each of its partnerships (one with none planned shows "
    "zeros): planned (not cancelled), held (the review day has come), reported (the report is "
    "published), `progress_reviewed` (the 90-day review is recorded), overdue (a milestone "
    "date passed before the review reached its stage, as `GET /v1/reviews?overdue=true`), "
    "cancelled. No school is named, and no count is suppressed: each is a lifecycle fact the "
    "LA's events already carry school by school. Coverage (schools in no partnership, "
    "partnerships with no lead or cycle) is in scheduling: "
    "`GET /v1/local-authorities/{la_code}/coverage`.",
    response_model=Progress,
)
async def get_review_progress(
    la_code: LaCode,
    session: SessionDep,
    principal: ReviewsReader,
    academic_year: Year = None,
) -> Progress:
    return await service.progress(session, principal, la_code, academic_year)
