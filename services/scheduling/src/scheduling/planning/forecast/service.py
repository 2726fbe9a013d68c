"""The pipeline forecast of a partnership, or of each partnership of an LA: reads the facts,
hands them to the pure ``pipeline.forecast``, and names the people suggested only to a caller
who may see them. A partnership the caller cannot see, or another LA, is a 404."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.problems import not_found
from scheduling.academic_year import bounds, containing
from scheduling.directory.cycle.schemas import Policy
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.partnership.service import get_partnership
from scheduling.directory.person.models import Person
from scheduling.planning.forecast import pipeline, repository
from scheduling.planning.forecast.schemas import (
    CandidateOut,
    LaForecastOut,
    PartnershipForecastOut,
    RoleForecastOut,
    RoleTotalOut,
    TraineePlacesOut,
)


def next_year(today: date) -> str:
    first = int(containing(today)[:4]) + 1
    return f"{first}-{(first + 1) % 100:02d}"


def _policy(doc: Policy) -> pipeline.Policy:
    return pipeline.Policy(
        reviewers_per_team=doc.team.reviewers,
        max_reviews_per_person_per_year=doc.limits.max_reviews_per_person_per_year,
        max_workshops_per_champion_per_year=doc.limits.max_workshops_per_champion_per_year,
        training={
            "lead_reviewer": doc.training.lead_reviewer,
            "reviewer": doc.training.reviewer,
            "improvement_champion": doc.training.improvement_champion,
        },
        max_shadowing_per_person_per_year=doc.trainees.max_shadowing_per_person_per_year,
    )


def _facts(person: Person, done: int) -> pipeline.PersonFacts:
    return pipeline.PersonFacts(
        id=str(person.id),
        roles=frozenset(str(r.role.value) for r in person.roles),
        training=tuple(
            pipeline.Training(t.kind.value, t.completed_on, t.expires_on) for t in person.training
        ),
        leaves_on=person.leaves_on,
        reviews_done=done,
    )


async def _forecast(
    session: AsyncSession, principal: Principal, partnership: Partnership, year: str, today: date
) -> PartnershipForecastOut:
    this_year = containing(today)
    current = await repository.cycle(session, partnership.id, this_year)
    target = await repository.cycle(session, partnership.id, year)
    source = target or current
    policy = Policy.model_validate(source.policy) if source else Policy()
    done = await repository.reviews_done(session, current.id) if current else None
    to_come = await repository.reviews_to_come(session, current.id, today) if current else 0
    rows = await repository.people(session, partnership.id)
    result = pipeline.forecast(
        [_facts(p, done[p.id] if done else 0) for p in rows],
        reviews=await repository.running_members(session, partnership.id),
        policy=_policy(policy),
        year=bounds(year),
        today=today,
        reviews_this_year=to_come,
    )
    by_id = {str(p.id): p for p in rows}
    named = {
        str(i)
        for i in await repository.visible(
            session,
            principal,
            {uuid.UUID(pid) for r in result.roles for pid in r.candidates},
        )
    }

    def out(pid: str, suggested: bool) -> CandidateOut:
        person = by_id[pid]
        return CandidateOut(
            person_id=person.id,
            name=person.name,
            reviews_this_year=done[person.id] if done else 0,
            suggested=suggested,
        )

    roles = [
        RoleForecastOut(
            role=r.role,
            need=r.need,
            pool=r.pool,
            expiring=r.expiring,
            leaving=r.leaving,
            shortfall=r.shortfall,
            candidates=[out(pid, pid in r.suggested) for pid in r.candidates if pid in named],
            candidates_not_shown=sum(pid not in named for pid in r.candidates),
        )
        for r in result.roles
    ]
    places = result.places
    return PartnershipForecastOut(
        partnership_id=partnership.id,
        name=partnership.name,
        academic_year=year,
        policy_year=source.academic_year if source else None,
        reviews=result.reviews,
        roles=roles,
        places=TraineePlacesOut(
            academic_year=this_year,
            cycle_id=current.id if current else None,
            reviews_to_come=to_come,
            shadows_per_review=places.shadows_per_review,
            assistant_ic=places.assistant_ic,
            shadows=[out(pid, True) for pid in places.shadows if pid in named],
            assistant_ics=[out(pid, True) for pid in places.assistant_ics if pid in named],
            not_shown=sum(pid not in named for pid in places.shadows + places.assistant_ics),
            closes=places.closes,
        ),
    )


async def partnership_forecast(
    session: AsyncSession, principal: Principal, partnership_id: uuid.UUID, year: str | None
) -> PartnershipForecastOut:
    partnership = await get_partnership(session, principal, partnership_id)
    today = utcnow().date()
    return await _forecast(session, principal, partnership, year or next_year(today), today)


async def la_forecast(
    session: AsyncSession, principal: Principal, la_code: str, year: str | None
) -> LaForecastOut:
    if la_code not in principal.la:
        raise not_found("No such local authority")
    today = utcnow().date()
    target = year or next_year(today)
    found = [
        await _forecast(session, principal, p, target, today)
        for p in await repository.partnerships_of(session, la_code)
    ]
    totals = [
        RoleTotalOut(
            role=role,
            need=sum(f.roles[i].need for f in found),
            pool=sum(f.roles[i].pool for f in found),
            shortfall=sum(f.roles[i].shortfall for f in found),
        )
        for i, role in enumerate(pipeline.ROLES)
    ]
    return LaForecastOut(la_code=la_code, academic_year=target, totals=totals, partnerships=found)
