"""Routes of /v1/insights/process: process and consistency measures, as JSON or CSV (by
``format`` or Accept), and ``/v1/insights/process.csv``: the CSV alone, for a client generated
from the OpenAPI (one media type per operation)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response

from knowledge.answers.insight.router import (
    SCOPE_DESCRIPTION,
    OptionalYear,
    ScopeIdQuery,
    ScopeQuery,
    check_year,
)
from knowledge.answers.measure import service
from knowledge.answers.measure.schemas import ProcessMeasures
from knowledge.deps import NOT_VISIBLE, KnowledgeReader, SessionDep

router = APIRouter(prefix="/v1/insights", tags=["insights"])

CSV = "text/csv"


@router.get(
    "/process",
    name="get_process_measures",
    summary="Process and consistency measures",
    description="Per scope and year (one year, or every year with reviews): days from the "
    "first review day to the report and to the workshop, findings per review, evidence items "
    "per finding, share of findings triangulated, 90-day reviews done on time. A council's "
    "answer has its LA, then each of its partnerships that shares with it. As CSV with "
    "`format=csv` or `Accept: text/csv` (a suppressed measure is an empty field). "
    + SCOPE_DESCRIPTION,
    response_model=ProcessMeasures,
    responses={200: {"content": {CSV: {"schema": {"type": "string"}}}}, **NOT_VISIBLE},
)
async def get_process_measures(
    session: SessionDep,
    principal: KnowledgeReader,
    scope: ScopeQuery,
    scope_id: ScopeIdQuery = None,
    year: OptionalYear = None,
    format: Annotated[
        Literal["json", "csv"] | None, Query(description="Overrides the Accept header")
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response | ProcessMeasures:
    check_year(year, "query.year")
    measures = await service.process_measures(
        session, principal, scope=scope, scope_id=scope_id, year=year
    )
    wants_csv = format == "csv" or (format is None and CSV in (accept or ""))
    if wants_csv:
        return _csv(measures)
    return measures


@router.get(
    "/process.csv",
    name="get_process_measures_csv",
    summary="Process and consistency measures, as CSV",
    description="`GET /v1/insights/process` as CSV only (one line per scope and year; a "
    "suppressed measure is an empty field; a cell a spreadsheet would run is neutralised), "
    "for clients that cannot negotiate (a generated client). " + SCOPE_DESCRIPTION,
    response_class=Response,
    responses={
        200: {
            "description": "The measures as CSV",
            "content": {CSV: {"schema": {"type": "string"}}},
        },
        **NOT_VISIBLE,
    },
)
async def get_process_measures_csv(
    session: SessionDep,
    principal: KnowledgeReader,
    scope: ScopeQuery,
    scope_id: ScopeIdQuery = None,
    year: OptionalYear = None,
) -> Response:
    check_year(year, "query.year")
    measures = await service.process_measures(
        session, principal, scope=scope, scope_id=scope_id, year=year
    )
    return _csv(measures)


def _csv(measures: ProcessMeasures) -> Response:
    return Response(service.as_csv(measures), media_type=f"{CSV}; charset=utf-8")
