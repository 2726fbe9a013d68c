"""Routes of the pipeline forecast: /v1/partnerships/{id}/pipeline-forecast and
/v1/local-authorities/{la_code}/pipeline-forecast."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from scheduling.academic_year import AcademicYear
from scheduling.deps import ScheduleReader, SessionDep
from scheduling.planning.forecast import service
from scheduling.planning.forecast.schemas import LaForecastOut, PartnershipForecastOut

partnership_router = APIRouter(prefix="/v1/partnerships", tags=["partnerships"])
la_router = APIRouter(prefix="/v1/local-authorities", tags=["local authorities"])

PartnershipId = Annotated[UUID, Path(description="Partnership id (UUIDv7)")]
LaCode = Annotated[
    str, Path(pattern=r"^\d{3}$", description="DfE local authority code", examples=["881"])
]
Year = Annotated[
    AcademicYear | None, Query(description="The year to forecast (default: next year)")
]

HOW = (
    " Next year's need (one review per running member school; the policy of that year's "
    "cycle, else this year's, else the defaults) against the people whose training is valid "
    "all that year and who are not known to leave before its end (`leaves_on`); the shortfall "
    "by role; who could be trained (named only when the caller may see the person); and the "
    "shadow and assistant-IC places in this year's reviews to come that would give the "
    "suggested people their experience (`trainees` in this year's cycle policy)."
)


@partnership_router.get(
    "/{partnership_id}/pipeline-forecast",
    name="get_partnership_pipeline_forecast",
    summary="Whether next year can be staffed: trained leads, reviewers and ICs",
    description="For whoever sees the partnership (anyone else: 404)." + HOW,
    response_model=PartnershipForecastOut,
)
async def get_partnership_forecast(
    partnership_id: PartnershipId,
    session: SessionDep,
    principal: ScheduleReader,
    academic_year: Year = None,
) -> PartnershipForecastOut:
    return await service.partnership_forecast(session, principal, partnership_id, academic_year)


@la_router.get(
    "/{la_code}/pipeline-forecast",
    name="get_la_pipeline_forecast",
    summary="Whether next year can be staffed, for each of an LA's partnerships",
    description="For a token of the LA (any other: 404): each of its partnerships' forecast, "
    "and the totals." + HOW,
    response_model=LaForecastOut,
)
async def get_la_forecast(
    la_code: LaCode,
    session: SessionDep,
    principal: ScheduleReader,
    academic_year: Year = None,
) -> LaForecastOut:
    return await service.la_forecast(session, principal, la_code, academic_year)
