"""Route of /v1/local-authorities/{la_code}/coverage: the council's view of its directory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from scheduling.academic_year import AcademicYear
from scheduling.deps import DirectoryReader, SessionDep
from scheduling.directory.coverage import service
from scheduling.directory.coverage.schemas import Coverage

router = APIRouter(prefix="/v1/local-authorities", tags=["local authorities"])

LaCode = Annotated[
    str, Path(pattern=r"^\d{3}$", description="DfE local authority code", examples=["881"])
]


@router.get(
    "/{la_code}/coverage",
    name="get_la_coverage",
    summary="An LA's coverage: schools in no partnership, partnerships lacking a lead or cycle",
    description="For a token of the LA (any other: 404). Its open schools counted, and those "
    "in no partnership counted by phase (never named); its partnerships with nobody in the "
    "`partnership_lead` role, and those with no cycle for `academic_year` (default: the "
    "current one), by name. The year's progress is in the reviews service: "
    "`GET /v1/review-progress/{la_code}`.",
    response_model=Coverage,
)
async def get_la_coverage(
    la_code: LaCode,
    session: SessionDep,
    principal: DirectoryReader,
    academic_year: Annotated[AcademicYear | None, Query()] = None,
) -> Coverage:
    return await service.coverage(session, principal, la_code, academic_year)
