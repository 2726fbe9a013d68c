"""Everything the solver and the checker need about one LA's academic year, read from the
database in a handful of queries: its cycles (policy, members, requests, draft or published
reviews), the member schools, the people with roles there, the calendars, and who reviewed
which school in earlier years. ``kernel.problem`` turns it into a solver ``Problem``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling.directory.calendar.models import LaCalendar, SchoolCalendar
from scheduling.directory.cycle.models import Cycle, CycleRequest
from scheduling.directory.cycle.schemas import Policy
from scheduling.directory.membership.models import Membership
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.person.models import Person, PersonRole
from scheduling.directory.school.models import School
from scheduling.planning.kernel.models import (
    CycleSchedule,
    PlannedReview,
    PlannedReviewPerson,
    PlanRole,
    PlanStatus,
)


@dataclass
class CycleInfo:
    cycle: Cycle
    partnership: Partnership
    policy: Policy
    members: list[int]
    requests: dict[int, CycleRequest]
    schedule: CycleSchedule | None
    reviews: list[PlannedReview]  # published and not cancelled

    @property
    def key(self) -> str:
        """The partnership id as the solver knows it."""
        return str(self.partnership.id)


@dataclass(frozen=True)
class PastReview:
    person_id: uuid.UUID
    urn: int
    academic_year: str


@dataclass
class Context:
    la_code: str
    academic_year: str
    cycles: dict[uuid.UUID, CycleInfo]
    schools: dict[int, School]
    people: dict[uuid.UUID, Person]
    la_calendar: LaCalendar | None
    school_calendars: dict[int, SchoolCalendar]
    history: list[PastReview] = field(default_factory=list)

    def by_partnership(self) -> dict[str, CycleInfo]:
        return {info.key: info for info in self.cycles.values()}


async def load(session: AsyncSession, la_code: str, academic_year: str) -> Context:
    partnerships = {
        p.id: p
        for p in await session.scalars(select(Partnership).where(Partnership.la_code == la_code))
    }
    cycles = list(
        await session.scalars(
            select(Cycle)
            .where(Cycle.partnership_id.in_(partnerships), Cycle.academic_year == academic_year)
            .order_by(Cycle.id)
        )
    )
    cycle_ids = [c.id for c in cycles]
    members: dict[uuid.UUID, list[int]] = defaultdict(list)
    for m in await session.scalars(
        select(Membership)
        .where(Membership.partnership_id.in_([c.partnership_id for c in cycles]))
        .order_by(Membership.urn)
    ):
        members[m.partnership_id].append(m.urn)
    requests: dict[uuid.UUID, dict[int, CycleRequest]] = defaultdict(dict)
    for r in await session.scalars(
        select(CycleRequest).where(CycleRequest.cycle_id.in_(cycle_ids))
    ):
        requests[r.cycle_id][r.urn] = r
    schedules = {
        s.cycle_id: s
        for s in await session.scalars(
            select(CycleSchedule).where(CycleSchedule.cycle_id.in_(cycle_ids))
        )
    }
    reviews: dict[uuid.UUID, list[PlannedReview]] = defaultdict(list)
    for review in await session.scalars(
        select(PlannedReview)
        .where(PlannedReview.cycle_id.in_(cycle_ids), PlannedReview.status == PlanStatus.PLANNED)
        .order_by(PlannedReview.urn)
    ):
        reviews[review.cycle_id].append(review)
    infos = {
        c.id: CycleInfo(
            cycle=c,
            partnership=partnerships[c.partnership_id],
            policy=Policy.model_validate(c.policy),
            members=members[c.partnership_id],
            requests=requests[c.id],
            schedule=schedules.get(c.id),
            reviews=reviews[c.id],
        )
        for c in cycles
    }
    urns = sorted({u for us in members.values() for u in us})
    schools = {s.urn: s for s in await session.scalars(select(School).where(School.urn.in_(urns)))}
    on_reviews = {p.person_id for rs in reviews.values() for r in rs for p in r.people}
    staff = select(PersonRole.person_id).where(
        or_(
            PersonRole.partnership_id.in_([c.partnership_id for c in cycles]),
            PersonRole.urn.in_(urns),
        )
    )
    people = {
        p.id: p
        for p in await session.scalars(
            select(Person).where(or_(Person.id.in_(staff), Person.id.in_(on_reviews)))
        )
    }
    la_calendar = await session.get(LaCalendar, (la_code, academic_year))
    school_calendars = {
        c.urn: c
        for c in await session.scalars(
            select(SchoolCalendar).where(
                SchoolCalendar.urn.in_(urns), SchoolCalendar.academic_year == academic_year
            )
        )
    }
    history = await past_reviews(session, list(people), before=academic_year)
    return Context(
        la_code,
        academic_year,
        infos,
        schools,
        people,
        la_calendar,
        school_calendars,
        history,
    )


async def past_reviews(
    session: AsyncSession, people: list[uuid.UUID], *, before: str | None = None
) -> list[PastReview]:
    """Published, not cancelled reviews these people were on the team of (lead or reviewer),
    in academic years before ``before`` (every year when None)."""
    if not people:
        return []
    statement = (
        select(PlannedReviewPerson.person_id, PlannedReview.urn, PlannedReview.academic_year)
        .join(PlannedReview, PlannedReview.id == PlannedReviewPerson.review_id)
        .where(
            PlannedReviewPerson.person_id.in_(people),
            PlannedReviewPerson.role.in_([PlanRole.LEAD_REVIEWER, PlanRole.REVIEWER]),
            PlannedReview.status == PlanStatus.PLANNED,
        )
    )
    if before is not None:
        statement = statement.where(PlannedReview.academic_year < before)
    rows = await session.execute(statement)
    return [PastReview(person, urn, year) for person, urn, year in rows]


def year_start(academic_year: str) -> int:
    return int(academic_year[:4])


def iso(day: date) -> str:
    return day.isoformat()
