"""A cycle's schedule: read the draft (or the published reviews) with its quality report, and
publish it: each review becomes a planned review and ``scheduling.review.planned`` is sent for
it in the same transaction. Publishing twice changes nothing and sends nothing. The cycle's
lead or LA only. Commits here only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import check_version
from common.http.problems import ProblemError, conflict, not_found
from scheduling.directory.cycle.models import Cycle, Mode
from scheduling.directory.cycle.schemas import Policy
from scheduling.directory.cycle.tenancy import cycle_manageable, cycle_visible
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.person.models import Person
from scheduling.planning.kernel import context as planning
from scheduling.planning.kernel.models import (
    CycleSchedule,
    PlannedReview,
    PlannedReviewPerson,
    PlanStatus,
    ScheduleStatus,
)
from scheduling.planning.kernel.plan_events import PlanChange, publish_plan
from scheduling.planning.kernel.plans import assignment_of_draft, team_of
from scheduling.planning.kernel.problem import published_problem
from scheduling.planning.kernel.quality_report import added_violations, names_of, violation_document
from scheduling.planning.reviews.repository import PlannedReviewRepository


@dataclass
class Found:
    cycle: Cycle
    partnership: Partnership
    schedule: CycleSchedule
    reviews: list[PlannedReview]


def _not_manager() -> ProblemError:
    return ProblemError(
        403,
        "Not a manager of this cycle",
        detail="Only the partnership's lead or its local authority see and publish its schedule.",
        type_="not-partnership-manager",
    )


async def _managed(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, *, lock: bool = False
) -> Found:
    cycle = await session.scalar(
        select(Cycle).where(Cycle.id == cycle_id, cycle_visible(principal))
    )
    if cycle is None:
        raise not_found(f"No cycle {cycle_id}.")
    if (
        await session.scalar(
            select(Cycle.id).where(Cycle.id == cycle_id, cycle_manageable(principal))
        )
        is None
    ):
        raise _not_manager()
    statement = select(CycleSchedule).where(CycleSchedule.cycle_id == cycle_id)
    schedule = await session.scalar(statement.with_for_update() if lock else statement)
    if schedule is None:
        raise not_found(f"Cycle {cycle_id} has no schedule yet: start a schedule job.")
    partnership = await session.get(Partnership, cycle.partnership_id)
    assert partnership is not None
    reviews = list(await session.scalars(PlannedReviewRepository(session).of_cycle(cycle_id)))
    return Found(cycle, partnership, schedule, reviews)


async def get_schedule(session: AsyncSession, principal: Principal, cycle_id: uuid.UUID) -> Found:
    return await _managed(session, principal, cycle_id)


async def people_of_draft(
    session: AsyncSession, schedule: CycleSchedule
) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, int | None]]:
    ids = {
        uuid.UUID(pid)
        for d in schedule.draft
        for pid in (
            d["lead"],
            *d["reviewers"],
            d["ic"],
            *d.get("shadows", ()),
            *([d["assistant_ic"]] if d.get("assistant_ic") else []),
        )
    }
    if not ids:
        return {}, {}
    people = list(await session.scalars(select(Person).where(Person.id.in_(ids))))
    names = {p.id: p.name for p in people}
    homes = {p.id: (p.home_urns[0] if p.home_urns else None) for p in people}
    return names, homes


def _clashes(violations: list[dict[str, object]]) -> ProblemError:
    return ProblemError(
        409,
        "The draft breaks hard rules",
        detail="The draft no longer fits the LA's published schedule (listed in `violations`): "
        "generate it again.",
        type_="breaks-hard-rules",
        extensions={"violations": violations},
    )


async def publish(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    expected_version: int | None,
) -> tuple[Found, bool]:
    """Publish the draft (``If-Match``, when given, must be its version). True when this call
    published it; False when it already was (nothing happens, nothing is sent)."""
    found = await _managed(session, principal, cycle_id, lock=True)
    schedule = found.schedule
    if expected_version is not None:
        check_version(schedule.version, expected_version)
    if schedule.status is ScheduleStatus.PUBLISHED:
        return found, False
    if not schedule.draft:
        raise conflict("The draft has no reviews to publish.", type_="empty-draft")
    ctx = await planning.load(session, found.partnership.la_code, found.cycle.academic_year)
    info = ctx.cycles[cycle_id]
    built = published_problem(ctx, draft_of=info)
    if not built.problem.calendar.half_terms:
        message = f"LA {ctx.la_code} has no term dates for {ctx.academic_year}."
        raise conflict(message, type_="no-term-dates")
    mine = {int(d["urn"]) for d in schedule.draft}
    others = tuple(a for urn, a in built.current.items() if urn not in mine)
    broken = added_violations(
        built.problem,
        others,
        tuple(built.current.values()),
        schools_before={a.urn for a in others},
    )
    if broken:
        names = names_of(ctx)
        raise _clashes([violation_document(v, names) for v in broken])
    policy = Policy.model_validate(found.cycle.policy)
    homes = {str(pid): (p.home_urns[0] if p.home_urns else None) for pid, p in ctx.people.items()}
    now = utcnow()
    created = []
    for d in schedule.draft:
        a = assignment_of_draft(d)
        review = PlannedReview(
            id=uuid.UUID(d["review_id"]),
            cycle_id=cycle_id,
            partnership_id=found.partnership.id,
            la_code=found.partnership.la_code,
            academic_year=found.cycle.academic_year,
            urn=a.urn,
            status=PlanStatus.PLANNED,
            mode=Mode(a.mode),
            days=list(d["days"]),
            first_day=a.dates[0],
            focus=list(d["focus"]),
            milestones=dict(d["milestones"]),
            created_at=now,
            updated_at=now,
            people=[
                PlannedReviewPerson(
                    role=role,
                    person_id=uuid.UUID(pid),
                    position=position,
                    home_urn=homes.get(pid),
                )
                for role, pid, position in team_of(a)
            ],
        )
        session.add(review)
        created.append(review)
    await session.flush()
    schools = {s.urn: s for s in built.problem.schools}
    for review in created:
        days = built.problem.calendar.school_days(review.urn, schools[review.urn].phase)
        await publish_plan(session, review, PlanChange.PLANNED, policy=policy, school_days=days)
    schedule.status = ScheduleStatus.PUBLISHED
    schedule.published_at = now
    schedule.published_by = principal.subject
    schedule.draft = []
    await session.flush()
    await session.commit()
    found.reviews = created
    return found, True
