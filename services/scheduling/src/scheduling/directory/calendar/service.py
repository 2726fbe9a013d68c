"""Calendar use cases: an LA's term dates, a school's own dates, the effective calendar of a
school, and school-day arithmetic for milestones. Commits here only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.etag import check_version
from common.http.problems import ProblemError, not_found, precondition_required, validation_failed
from scheduling import academic_year as years
from scheduling.directory.calendar.days import (
    Blackout,
    EffectiveCalendar,
    HalfTerm,
    OutsideCalendarError,
    SchoolDays,
    Term,
)
from scheduling.directory.calendar.models import LaCalendar, SchoolCalendar
from scheduling.directory.calendar.repository import LaCalendarRepository, SchoolCalendarRepository
from scheduling.directory.calendar.schemas import LaCalendarIn, SchoolCalendarIn
from scheduling.directory.calendar.tenancy import la_visible, school_calendar_writable
from scheduling.directory.school.models import School
from scheduling.directory.school.tenancy import school_visible


def _outside_tenancy(detail: str) -> ProblemError:
    return ProblemError(403, "Outside your tenancy", detail=detail, type_="outside-tenancy")


def _check_dates(academic_year: str, data: LaCalendarIn | SchoolCalendarIn) -> None:
    first, last = years.bounds(academic_year)
    errors = []
    for index, term in enumerate(data.terms or []):
        if term.starts_on < first or term.ends_on > last:
            message = f"{term.half_term} is outside the academic year {academic_year}"
            errors.append({"field": f"body.terms.{index}", "message": message})
    for index, day in enumerate(data.inset_days):
        if not first <= day <= last:
            message = f"{day} is outside the academic year {academic_year}"
            errors.append({"field": f"body.inset_days.{index}", "message": message})
    if errors:
        raise validation_failed(errors)


def _document(data: LaCalendarIn | SchoolCalendarIn) -> dict[str, Any]:
    dumped = data.model_dump(mode="json")
    dumped["inset_days"] = sorted(set(dumped["inset_days"]))
    return dumped


async def get_la_calendar(
    session: AsyncSession, principal: Principal, la_code: str, academic_year: str
) -> LaCalendar:
    found = await LaCalendarRepository(session).find(la_code, academic_year)
    if found is None or not await session.scalar(select(la_visible(principal, la_code))):
        raise not_found(f"No calendar for LA {la_code} in {academic_year}.")
    return found


async def put_la_calendar(
    session: AsyncSession,
    principal: Principal,
    la_code: str,
    academic_year: str,
    data: LaCalendarIn,
    expected_version: int | None,
) -> tuple[LaCalendar, bool]:
    """Create (True) or replace an LA's calendar; only a token of that LA may."""
    if la_code not in principal.la:
        await get_la_calendar(session, principal, la_code, academic_year)  # 404 if unseen
        raise _outside_tenancy(f"Only LA {la_code} sets its term dates.")
    _check_dates(academic_year, data)
    repository = LaCalendarRepository(session)
    existing = await repository.find(la_code, academic_year)
    document = _document(data)
    if existing is None:
        created = repository.add(
            LaCalendar(la_code=la_code, academic_year=academic_year, **document)
        )
        await session.flush()
        await session.commit()
        return created, True
    if expected_version is None:
        raise precondition_required()
    check_version(existing.version, expected_version)
    _replace(existing, document)
    await session.flush()
    await session.commit()
    return existing, False


def _replace(entity: LaCalendar | SchoolCalendar, document: dict[str, Any]) -> None:
    for field, value in document.items():
        if getattr(entity, field) != value:
            setattr(entity, field, value)


async def _visible_school(session: AsyncSession, principal: Principal, urn: int) -> School:
    school = await session.scalar(
        select(School).where(School.urn == urn, school_visible(principal))
    )
    if school is None:
        raise not_found(f"No school {urn}.")
    return school


async def get_school_calendar(
    session: AsyncSession, principal: Principal, urn: int, academic_year: str
) -> SchoolCalendar:
    await _visible_school(session, principal, urn)
    found = await SchoolCalendarRepository(session).find(urn, academic_year)
    if found is None:
        raise not_found(f"School {urn} has no dates of its own for {academic_year}.")
    return found


async def put_school_calendar(
    session: AsyncSession,
    principal: Principal,
    urn: int,
    academic_year: str,
    data: SchoolCalendarIn,
    expected_version: int | None,
) -> tuple[SchoolCalendar, bool]:
    """Create (True) or replace a school's own dates: the school itself or its trust."""
    await _visible_school(session, principal, urn)
    writable = await session.scalar(
        select(School.urn).where(School.urn == urn, school_calendar_writable(principal))
    )
    if writable is None:
        raise _outside_tenancy(f"Only school {urn} or its trust sets its own dates.")
    _check_dates(academic_year, data)
    repository = SchoolCalendarRepository(session)
    existing = await repository.find(urn, academic_year)
    document = _document(data)
    if existing is None:
        created = repository.add(SchoolCalendar(urn=urn, academic_year=academic_year, **document))
        await session.flush()
        await session.commit()
        return created, True
    if expected_version is None:
        raise precondition_required()
    check_version(existing.version, expected_version)
    _replace(existing, document)
    await session.flush()
    await session.commit()
    return existing, False


@dataclass(frozen=True)
class Effective:
    """A school's effective calendar for a year, with where each part came from."""

    school: School
    calendar: EffectiveCalendar
    terms_source: str
    inset_sources: dict[date, str]
    blackout_sources: tuple[str, ...]


def _terms(rows: list[dict[str, Any]]) -> tuple[Term, ...]:
    return tuple(
        Term(
            half_term=HalfTerm(row["half_term"]),
            starts_on=date.fromisoformat(row["starts_on"]),
            ends_on=date.fromisoformat(row["ends_on"]),
        )
        for row in rows
    )


def _blackouts(rows: list[dict[str, Any]], phase: str) -> list[Blackout]:
    found = [
        Blackout(
            starts_on=date.fromisoformat(row["starts_on"]),
            ends_on=date.fromisoformat(row["ends_on"]),
            phases=tuple(row["phases"]) if row.get("phases") else None,
            reason=row.get("reason"),
        )
        for row in rows
    ]
    return [b for b in found if b.applies_to(phase)]


async def effective_for(session: AsyncSession, school: School, academic_year: str) -> Effective:
    """The school's own terms if it set them, else its LA's; LA INSET days only with LA terms
    (a school with its own terms sets its own INSET days); the school's INSET days; LA and
    school blackouts for the school's phase. 404 when no term dates are known."""
    la = await LaCalendarRepository(session).find(school.la_code, academic_year)
    own = await SchoolCalendarRepository(session).find(school.urn, academic_year)
    if own is not None and own.terms is not None:
        terms, terms_source = _terms(own.terms), "school"
    elif la is not None:
        terms, terms_source = _terms(la.terms), "la"
    else:
        raise not_found(
            f"No term dates for school {school.urn} in {academic_year}: neither LA "
            f"{school.la_code} nor the school has set them."
        )
    inset: dict[date, str] = {}
    if terms_source == "la" and la is not None:
        inset.update({date.fromisoformat(d): "la" for d in la.inset_days})
    if own is not None:
        inset.update({date.fromisoformat(d): "school" for d in own.inset_days})
    phase = str(school.phase)
    la_blackouts = _blackouts(la.blackouts, phase) if la is not None else []
    own_blackouts = _blackouts(own.blackouts, phase) if own is not None else []
    calendar = EffectiveCalendar(
        academic_year=academic_year,
        terms=terms,
        inset_days=frozenset(inset),
        blackouts=(*la_blackouts, *own_blackouts),
    )
    sources = ("la",) * len(la_blackouts) + ("school",) * len(own_blackouts)
    return Effective(school, calendar, terms_source, dict(sorted(inset.items())), sources)


async def get_effective(
    session: AsyncSession, principal: Principal, urn: int, academic_year: str
) -> Effective:
    school = await _visible_school(session, principal, urn)
    return await effective_for(session, school, academic_year)


async def _school_days(session: AsyncSession, urn: int, around: list[date]) -> SchoolDays:
    school = await session.get(School, urn)
    if school is None:
        raise not_found(f"No school {urn}.")
    wanted = sorted({years.containing(d) for d in around})
    first, last = int(wanted[0][:4]), int(wanted[-1][:4])
    calendars = []
    for year in range(first - 1, last + 2):  # a year either side, for milestones that cross
        try:
            effective = await effective_for(session, school, f"{year}-{(year + 1) % 100:02d}")
        except ProblemError:
            continue
        calendars.append(effective.calendar)
    return SchoolDays(calendars)


async def school_days(session: AsyncSession, urn: int, start: date, end: date) -> int:
    """School days at school ``urn`` from ``start`` to ``end``, both included. No tenancy
    check: for use cases (milestones) that already decided the caller may see the school."""
    return (await _school_days(session, urn, [start, end])).count(start, end)


async def add_school_days(session: AsyncSession, urn: int, day: date, n: int) -> date:
    """The ``n``-th school day after ``day`` at school ``urn`` (before, if ``n`` < 0).
    Raises :class:`~scheduling.directory.calendar.days.OutsideCalendarError` past the known term
    dates."""
    return (await _school_days(session, urn, [day])).add(day, n)


__all__ = ["OutsideCalendarError", "add_school_days", "school_days"]
