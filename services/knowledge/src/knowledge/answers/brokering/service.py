"""Support brokering: for a school's areas for development, the schools with the matching
strength (triangulated, found in the last two academic years), best first; and a partnership's
brokering round, an optimal assignment of helpers to needs (``brokering.assignment``).

Only schools the agreements let be named to the caller are offered: those of partnerships that
name their schools to the caller (its own, as lead or member school, when the agreement says
``named``), and those of other partnerships whose agreement says ``named_for_support``. Ranked:
same partnership as the school to support first, then more evidence, then more recent, then
nearer (easting/northing from the directory), then URN.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.problems import not_found
from knowledge.answers.brokering import repository
from knowledge.answers.brokering.assignment import Option, assign
from knowledge.answers.brokering.schemas import (
    Need,
    Offer,
    Pairing,
    RoundIn,
    RoundOut,
    SupportMatches,
    UnmetNeed,
)
from knowledge.answers.disclosure.audience import NAMED, Audience, audience_of
from knowledge.answers.insight.scopes import named_filter, resolve
from knowledge.cells import PARTNERSHIP, Scope
from knowledge.intake.directory.models import DirectorySchool
from knowledge.intake.directory.repository import DirectoryRepository
from knowledge.intake.review.models import IngestedReview

RECENT_YEARS = 2
WEIGHT = 100  # one rank criterion outweighs every later one (each kept below WEIGHT)


def recent_years(year: str) -> list[str]:
    start = int(year[:4])
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(start - RECENT_YEARS + 1, start + 1)]


@dataclass
class Candidate:
    urn: int
    name: str | None
    partnership_id: uuid.UUID
    same_partnership: bool
    academic_year: str
    evidence: int = 0
    codes: set[str] = field(default_factory=set)
    distance_km: float | None = None

    def rank(self) -> tuple[bool, int, int, float, int]:
        distance = self.distance_km if self.distance_km is not None else math.inf
        return (
            not self.same_partnership,
            -self.evidence,
            -int(self.academic_year[:4]),
            distance,
            self.urn,
        )

    def cost(self, year: str) -> int:
        """The rank as one number for the assignment (same order, criterion by criterion)."""
        years_ago = max(0, int(year[:4]) - int(self.academic_year[:4]))
        distance = (
            min(WEIGHT - 1, int(self.distance_km)) if self.distance_km is not None else WEIGHT - 1
        )
        return (
            (0 if self.same_partnership else 1) * WEIGHT**3
            + (WEIGHT - 1 - min(WEIGHT - 1, self.evidence)) * WEIGHT**2
            + min(WEIGHT - 1, years_ago) * WEIGHT
            + distance
        )

    def offer(self) -> Offer:
        return Offer(
            urn=self.urn,
            name=self.name,
            partnership_id=self.partnership_id,
            same_partnership=self.same_partnership,
            theme_codes=sorted(self.codes),
            academic_year=self.academic_year,
            evidence_items=self.evidence,
            distance_km=None if self.distance_km is None else round(self.distance_km, 1),
        )


def _distance_km(a: DirectorySchool | None, b: DirectorySchool | None) -> float | None:
    if a is None or b is None:
        return None
    if a.easting is None or a.northing is None or b.easting is None or b.northing is None:
        return None
    return math.dist((a.easting, a.northing), (b.easting, b.northing)) / 1000


async def _candidates(
    session: AsyncSession,
    audience: Audience,
    school: int,
    needs: Collection[str],
    year: str,
    partnerships_of_school: Collection[uuid.UUID],
) -> dict[str, list[Candidate]]:
    rows = await repository.matching_strengths(session, needs, recent_years(year))
    directory = DirectoryRepository(session)
    agreements = await directory.agreements({row.partnership_id for row in rows})
    schools = await directory.schools({row.urn for row in rows} | {school})
    here = schools.get(school)

    def nameable(partnership_id: uuid.UUID) -> bool:
        agreement = agreements.get(partnership_id)
        if agreement is None:
            return False
        return partnership_id in audience.named_partnerships or agreement.named_for_support

    found: dict[str, dict[int, Candidate]] = defaultdict(dict)
    for row in rows:
        if row.urn == school or not nameable(row.partnership_id):
            continue
        for need in needs:
            if row.theme_code != need and not row.theme_code.startswith(need + "."):
                continue
            there = schools.get(row.urn)
            candidate = found[need].get(row.urn)
            if candidate is None:
                distance = _distance_km(here, there)
                candidate = found[need][row.urn] = Candidate(
                    urn=row.urn,
                    name=there.name if there else None,
                    partnership_id=row.partnership_id,
                    same_partnership=False,
                    academic_year=row.academic_year,
                    distance_km=distance,
                )
            candidate.same_partnership |= row.partnership_id in partnerships_of_school
            candidate.evidence += row.evidence_count
            candidate.codes.add(row.theme_code)
            if row.academic_year > candidate.academic_year:
                candidate.academic_year, candidate.partnership_id = (
                    row.academic_year,
                    row.partnership_id,
                )
    return {need: sorted(found[need].values(), key=Candidate.rank) for need in needs}


async def matches_for_school(
    session: AsyncSession, principal: Principal, urn: int, year: str | None, limit: int
) -> SupportMatches:
    audience, target = await resolve(session, principal, "school", str(urn))
    which = named_filter(audience, target)
    year = year or await repository.latest_year(session, which)
    if year is None:
        return SupportMatches(urn=urn, academic_year=None, recent_years=[], needs=[])
    areas = (await repository.areas_for_development(session, which, year)).get(urn, set())
    memberships = (await DirectoryRepository(session).memberships_of([urn]))[urn]
    candidates = await _candidates(session, audience, urn, areas, year, memberships)
    needs = [
        Need(theme_code=code, offers=[c.offer() for c in candidates[code][:limit]])
        for code in sorted(areas)
    ]
    return SupportMatches(urn=urn, academic_year=year, recent_years=recent_years(year), needs=needs)


async def brokering_round(session: AsyncSession, principal: Principal, data: RoundIn) -> RoundOut:
    audience = await audience_of(session, principal)
    if audience.view_of(Scope(PARTNERSHIP, str(data.partnership_id))) != NAMED:
        raise not_found(
            f"No partnership {data.partnership_id} that names its schools to this client."
        )
    which = IngestedReview.partnership_id == data.partnership_id
    areas = await repository.areas_for_development(session, which, data.academic_year)
    memberships = await DirectoryRepository(session).memberships_of(sorted(areas))
    needs: list[tuple[int, str]] = []
    options: list[Option[tuple[int, str], int]] = []
    offers: dict[tuple[int, str, int], Candidate] = {}
    counts: dict[tuple[int, str], int] = {}
    for urn in sorted(areas):
        candidates = await _candidates(
            session, audience, urn, areas[urn], data.academic_year, memberships.get(urn, set())
        )
        for code in sorted(areas[urn]):
            needs.append((urn, code))
            counts[(urn, code)] = len(candidates[code])
            for candidate in candidates[code]:
                options.append(
                    Option((urn, code), candidate.urn, candidate.cost(data.academic_year))
                )
                offers[(urn, code, candidate.urn)] = candidate
    capacity = {c.urn: c.capacity for c in data.capacities}
    helpers = {o.helper for o in options}
    capacities = {h: capacity.get(h, data.default_capacity) for h in helpers}
    result = assign(needs, capacities, options)
    pairings = [
        Pairing(urn=need[0], theme_code=need[1], helper=offers[(need[0], need[1], helper)].offer())
        for need, helper in sorted(result.pairs.items())
    ]
    unmet = [UnmetNeed(urn=u, theme_code=c, candidates=counts[(u, c)]) for u, c in result.unmet]
    return RoundOut(
        partnership_id=data.partnership_id,
        academic_year=data.academic_year,
        pairings=pairings,
        unmet=unmet,
        cost=result.cost,
    )
