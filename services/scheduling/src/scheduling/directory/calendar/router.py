"""Routes of /v1/calendars: an LA's term dates, a school's own dates, the effective calendar."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from common.http.etag import OptionalIfMatchVersion, set_etag
from contracts.directory import LaCode
from scheduling.academic_year import AcademicYear, bounds
from scheduling.deps import DirectoryReader, DirectoryWriter, SessionDep, UrnPath
from scheduling.directory.calendar import service
from scheduling.directory.calendar.days import SchoolDays
from scheduling.directory.calendar.models import LaCalendar, SchoolCalendar
from scheduling.directory.calendar.schemas import (
    EffectiveBlackoutOut,
    EffectiveCalendarOut,
    InsetDayOut,
    LaCalendarIn,
    LaCalendarOut,
    SchoolCalendarIn,
    SchoolCalendarOut,
    TermOut,
)

router = APIRouter(prefix="/v1/calendars", tags=["calendars"])

YearPath = Annotated[AcademicYear, Path(description="Academic year, e.g. 2026-27")]
LaPath = Annotated[LaCode, Path(description="Three-digit LA code")]


def _la_out(entity: LaCalendar) -> LaCalendarOut:
    return LaCalendarOut.model_validate(
        {
            "la_code": entity.la_code,
            "academic_year": entity.academic_year,
            "terms": entity.terms,
            "inset_days": entity.inset_days,
            "blackouts": entity.blackouts,
            "version": entity.version,
            "updated_at": entity.updated_at,
        }
    )


def _school_out(entity: SchoolCalendar) -> SchoolCalendarOut:
    return SchoolCalendarOut.model_validate(
        {
            "urn": entity.urn,
            "academic_year": entity.academic_year,
            "terms": entity.terms,
            "inset_days": entity.inset_days,
            "blackouts": entity.blackouts,
            "version": entity.version,
            "updated_at": entity.updated_at,
        }
    )


@router.get(
    "/las/{la_code}/{academic_year}",
    name="get_la_calendar",
    summary="An LA's term dates for a year",
    response_model=LaCalendarOut,
)
async def get_la_calendar(
    la_code: LaPath,
    academic_year: YearPath,
    response: Response,
    session: SessionDep,
    principal: DirectoryReader,
) -> LaCalendarOut:
    calendar = await service.get_la_calendar(session, principal, la_code, academic_year)
    set_etag(response, calendar.version)
    return _la_out(calendar)


@router.put(
    "/las/{la_code}/{academic_year}",
    name="put_la_calendar",
    summary="Set an LA's term dates, INSET days and blackouts for a year",
    description=(
        "The six half-terms in order, LA-wide INSET days and blackouts by phase (e.g. the KS2 "
        "test week for primaries). Creates (201) or replaces (200, needs `If-Match`). Only a "
        "token of that LA may."
    ),
    response_model=LaCalendarOut,
    responses={201: {"model": LaCalendarOut, "description": "Created"}},
)
async def put_la_calendar(
    la_code: LaPath,
    academic_year: YearPath,
    body: LaCalendarIn,
    expected: OptionalIfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> LaCalendarOut:
    calendar, created = await service.put_la_calendar(
        session, principal, la_code, academic_year, body, expected
    )
    if created:
        response.status_code = 201
        response.headers["Location"] = f"/v1/calendars/las/{la_code}/{academic_year}"
    set_etag(response, calendar.version)
    return _la_out(calendar)


@router.get(
    "/schools/{urn}/{academic_year}",
    name="get_effective_calendar",
    summary="A school's effective calendar for a year",
    description=(
        "Its own term dates if it set them (academies), else its LA's; every INSET day and "
        "every blackout for its phase, each with its source; and the count of school days."
    ),
    response_model=EffectiveCalendarOut,
)
async def get_effective_calendar(
    urn: UrnPath, academic_year: YearPath, session: SessionDep, principal: DirectoryReader
) -> EffectiveCalendarOut:
    effective = await service.get_effective(session, principal, urn, academic_year)
    calendar = effective.calendar
    starts_on, ends_on = bounds(academic_year)
    return EffectiveCalendarOut(
        urn=urn,
        la_code=effective.school.la_code,
        phase=effective.school.phase,
        academic_year=academic_year,
        starts_on=starts_on,
        ends_on=ends_on,
        terms_source="school" if effective.terms_source == "school" else "la",
        terms=[
            TermOut(half_term=t.half_term, starts_on=t.starts_on, ends_on=t.ends_on)
            for t in calendar.terms
        ],
        inset_days=[
            InsetDayOut(day=day, source="school" if source == "school" else "la")
            for day, source in effective.inset_sources.items()
        ],
        blackouts=[
            EffectiveBlackoutOut(
                starts_on=b.starts_on,
                ends_on=b.ends_on,
                phases=list(b.phases) if b.phases is not None else None,
                reason=b.reason,
                source="school" if source == "school" else "la",
            )
            for b, source in zip(calendar.blackouts, effective.blackout_sources, strict=True)
        ],
        school_days=SchoolDays([calendar]).count(starts_on, ends_on),
    )


@router.get(
    "/schools/{urn}/{academic_year}/override",
    name="get_school_calendar",
    summary="A school's own dates for a year",
    response_model=SchoolCalendarOut,
)
async def get_school_calendar(
    urn: UrnPath,
    academic_year: YearPath,
    response: Response,
    session: SessionDep,
    principal: DirectoryReader,
) -> SchoolCalendarOut:
    calendar = await service.get_school_calendar(session, principal, urn, academic_year)
    set_etag(response, calendar.version)
    return _school_out(calendar)


@router.put(
    "/schools/{urn}/{academic_year}/override",
    name="put_school_calendar",
    summary="Set a school's own dates for a year",
    description=(
        "Its own six half-terms (academies; null keeps the LA's), its INSET days and its own "
        "blackouts. Creates (201) or replaces (200, needs `If-Match`). The school or its trust."
    ),
    response_model=SchoolCalendarOut,
    responses={201: {"model": SchoolCalendarOut, "description": "Created"}},
)
async def put_school_calendar(
    urn: UrnPath,
    academic_year: YearPath,
    body: SchoolCalendarIn,
    expected: OptionalIfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> SchoolCalendarOut:
    calendar, created = await service.put_school_calendar(
        session, principal, urn, academic_year, body, expected
    )
    if created:
        response.status_code = 201
        response.headers["Location"] = f"/v1/calendars/schools/{urn}/{academic_year}/override"
    set_etag(response, calendar.version)
    return _school_out(calendar)
