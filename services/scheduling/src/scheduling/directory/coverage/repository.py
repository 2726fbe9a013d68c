"""The counts behind an LA's coverage, each one query over the directory's own tables."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.directory import SchoolStatus
from scheduling.directory.cycle.models import Cycle
from scheduling.directory.membership.models import Membership
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.person.models import PersonRole, RoleKind
from scheduling.directory.school.models import School

#: Schools that run this year: open, or open but proposed to close.
RUNNING = (SchoolStatus.OPEN, SchoolStatus.PROPOSED_TO_CLOSE)


async def schools_by_phase(session: AsyncSession, la_code: str) -> dict[str, tuple[int, int]]:
    """phase -> (open schools, of which in no partnership); a partnership of any LA counts."""
    member = select(Membership.urn).where(Membership.urn == School.urn).exists()
    statement = (
        select(School.phase, func.count(), func.count().filter(~member))
        .where(School.la_code == la_code, School.status.in_(RUNNING))
        .group_by(School.phase)
    )
    return {
        str(phase.value): (int(total), int(outside))
        for phase, total, outside in (await session.execute(statement)).all()
    }


async def partnerships(
    session: AsyncSession, la_code: str, academic_year: str
) -> list[tuple[uuid.UUID, str, int, bool, bool]]:
    """(id, name, members, has a lead, has the year's cycle) of each of the LA's partnerships,
    by name."""
    members = (
        select(func.count())
        .select_from(Membership)
        .where(Membership.partnership_id == Partnership.id)
        .scalar_subquery()
    )
    lead = (
        select(PersonRole.id)
        .where(
            PersonRole.partnership_id == Partnership.id,
            PersonRole.role == RoleKind.PARTNERSHIP_LEAD,
        )
        .exists()
    )
    cycle = (
        select(Cycle.id)
        .where(Cycle.partnership_id == Partnership.id, Cycle.academic_year == academic_year)
        .exists()
    )
    statement = (
        select(Partnership.id, Partnership.name, members, lead, cycle)
        .where(Partnership.la_code == la_code)
        .order_by(Partnership.name, Partnership.id)
    )
    return [
        (row[0], row[1], int(row[2]), bool(row[3]), bool(row[4]))
        for row in (await session.execute(statement)).all()
    ]
