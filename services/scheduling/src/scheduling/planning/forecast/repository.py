"""The facts a forecast reads: a partnership's running member schools, the people with a role
at them or at the partnership, the cycle whose policy applies, this year's reviews (to come,
and done by each person), and which of the people the caller may see."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from scheduling.directory.coverage.repository import RUNNING
from scheduling.directory.cycle.models import Cycle
from scheduling.directory.membership.models import Membership
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.person.models import Person, PersonRole
from scheduling.directory.person.tenancy import person_visible
from scheduling.directory.school.models import School
from scheduling.planning.kernel.models import (
    PlannedReview,
    PlannedReviewPerson,
    PlanRole,
    PlanStatus,
)


async def running_members(session: AsyncSession, partnership_id: uuid.UUID) -> int:
    statement = (
        select(func.count())
        .select_from(Membership)
        .join(School, School.urn == Membership.urn)
        .where(Membership.partnership_id == partnership_id, School.status.in_(RUNNING))
    )
    return int((await session.execute(statement)).scalar_one())


async def people(session: AsyncSession, partnership_id: uuid.UUID) -> list[Person]:
    """Everyone with a role at one of the partnership's schools or at the partnership."""
    members = select(Membership.urn).where(Membership.partnership_id == partnership_id)
    roles = select(PersonRole.person_id).where(
        or_(PersonRole.urn.in_(members), PersonRole.partnership_id == partnership_id)
    )
    statement = select(Person).where(Person.id.in_(roles)).order_by(Person.id)
    return list((await session.execute(statement)).scalars().all())


async def cycle(session: AsyncSession, partnership_id: uuid.UUID, year: str) -> Cycle | None:
    statement = select(Cycle).where(
        Cycle.partnership_id == partnership_id, Cycle.academic_year == year
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def reviews_to_come(session: AsyncSession, cycle_id: uuid.UUID, today: date) -> int:
    """The cycle's planned reviews from today (none planned yet: 0)."""
    statement = select(func.count()).where(
        PlannedReview.cycle_id == cycle_id,
        PlannedReview.status == PlanStatus.PLANNED,
        PlannedReview.first_day >= today,
    )
    return int((await session.execute(statement)).scalar_one())


async def reviews_done(session: AsyncSession, cycle_id: uuid.UUID) -> Counter[uuid.UUID]:
    """Per person, the cycle's planned reviews they are on as a lead or a reviewer."""
    statement = (
        select(PlannedReviewPerson.person_id, func.count())
        .join(PlannedReview, PlannedReview.id == PlannedReviewPerson.review_id)
        .where(
            PlannedReview.cycle_id == cycle_id,
            PlannedReview.status == PlanStatus.PLANNED,
            PlannedReviewPerson.role.in_((PlanRole.LEAD_REVIEWER, PlanRole.REVIEWER)),
        )
        .group_by(PlannedReviewPerson.person_id)
    )
    return Counter({pid: int(n) for pid, n in (await session.execute(statement)).all()})


async def visible(
    session: AsyncSession, principal: Principal, ids: set[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of ``ids`` the caller may see (whose names may be shown)."""
    if not ids:
        return set()
    statement = select(Person.id).where(Person.id.in_(ids), person_visible(principal))
    return set((await session.execute(statement)).scalars().all())


async def partnerships_of(session: AsyncSession, la_code: str) -> list[Partnership]:
    statement = (
        select(Partnership)
        .where(Partnership.la_code == la_code)
        .order_by(Partnership.name, Partnership.id)
    )
    return list((await session.execute(statement)).scalars().all())
