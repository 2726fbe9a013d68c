"""An LA's coverage for its council: only a token of that LA reads it (anyone else: 404, as if
there were no such LA). Schools are counted, never named: the council can list its schools in
the directory anyway, so a small count tells it nothing new and no threshold applies (the
knowledge service's suppression guards what reviews found, which this does not carry)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.problems import not_found
from scheduling.academic_year import containing
from scheduling.directory.coverage import repository
from scheduling.directory.coverage.schemas import Coverage, PartnershipGap, SchoolCoverage


def current_year() -> str:
    return containing(utcnow().date())


async def coverage(
    session: AsyncSession, principal: Principal, la_code: str, academic_year: str | None
) -> Coverage:
    if la_code not in principal.la:
        raise not_found("No such local authority")
    year = academic_year or current_year()
    phases = await repository.schools_by_phase(session, la_code)
    outside = {phase: n for phase, (_, n) in sorted(phases.items()) if n}
    total = sum(n for n, _ in phases.values())
    found = await repository.partnerships(session, la_code, year)
    return Coverage(
        la_code=la_code,
        academic_year=year,
        schools=SchoolCoverage(
            open=total,
            in_partnership=total - sum(outside.values()),
            in_no_partnership=sum(outside.values()),
            in_no_partnership_by_phase=outside,
        ),
        partnerships=len(found),
        without_lead=[
            PartnershipGap(id=id_, name=name, members=members)
            for id_, name, members, lead, _ in found
            if not lead
        ],
        without_cycle=[
            PartnershipGap(id=id_, name=name, members=members)
            for id_, name, members, _, cycle in found
            if not cycle
        ],
    )
