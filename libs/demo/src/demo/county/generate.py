"""Generate the synthetic county from a seed and its sizes: the same seed and sizes give the
same county, value for value (``random.Random`` with string seeds is stable across runs and
Python versions), so a second run of the demo finds everything it made the first time."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from demo.county import calendar, names, programme, staff
from demo.county.model import (
    ClosedPredecessor,
    County,
    Partnership,
    Person,
    Role,
    School,
    SchoolCalendar,
    Trust,
)
from demo.county.places import (
    AREAS,
    EASTING_RANGE,
    LA_CODE,
    LA_NAME,
    NORTHING_RANGE,
    PLACES,
    QUADRANTS,
    STREETS,
    Area,
)
from demo.county.schools import (
    Numbering,
    SchoolDraft,
    draft_phases,
    finish_school,
    predecessor_of,
)


@dataclass(frozen=True)
class CountySize:
    """How big a county: ``partnerships`` (at most 36) of ``min_schools`` to ``max_schools``
    each, adjusted to ``target_schools`` in total when given."""

    partnerships: int = 36
    min_schools: int = 6
    max_schools: int = 15
    target_schools: int | None = 400

    def __post_init__(self) -> None:
        if not 1 <= self.partnerships <= len(AREAS):
            raise ValueError(f"partnerships must be 1 to {len(AREAS)}")
        if not 1 <= self.min_schools <= self.max_schools <= 15:
            raise ValueError("schools per partnership: 1 <= min <= max <= 15")


FULL = CountySize()
URN_BLOCK = 2_000  # URNs per seed: schools from the block's start, predecessors from +1000


def urn_base(seed: int) -> int:
    return 700_000 + (seed % 100) * URN_BLOCK


def _sizes(rng: random.Random, size: CountySize) -> list[int]:
    sizes = [rng.randint(size.min_schools, size.max_schools) for _ in range(size.partnerships)]
    target = size.target_schools
    if target is not None:
        target = max(size.min_schools * len(sizes), min(target, size.max_schools * len(sizes)))
        while sum(sizes) != target:
            i = rng.randrange(len(sizes))
            step = 1 if sum(sizes) < target else -1
            if size.min_schools <= sizes[i] + step <= size.max_schools:
                sizes[i] += step
    return sizes


def _position(rng: random.Random, area: Area) -> tuple[int, int]:
    place = PLACES[area.town]
    angle = rng.uniform(0, 2 * math.pi)
    distance = place.radius_m * math.sqrt(rng.random())
    easting = round(place.easting + distance * math.cos(angle))
    northing = round(place.northing + distance * math.sin(angle))
    return (
        min(max(easting, EASTING_RANGE[0]), EASTING_RANGE[1]),
        min(max(northing, NORTHING_RANGE[0]), NORTHING_RANGE[1]),
    )


def _drafts(seed: int, size: CountySize) -> list[SchoolDraft]:
    rng = random.Random(f"{seed}:schools")
    drafts: list[SchoolDraft] = []
    urn = urn_base(seed)
    for index, (area, count) in enumerate(zip(AREAS, _sizes(rng, size), strict=False)):
        place = PLACES[area.town]
        for phase in draft_phases(rng, area, count):
            easting, northing = _position(rng, area)
            drafts.append(
                SchoolDraft(
                    urn=urn,
                    partnership=f"p{index + 1:02d}",
                    area=area,
                    phase=phase,
                    locality=rng.choice((*place.localities, place.name)),
                    easting=easting,
                    northing=northing,
                    religion=_religion(rng, phase),
                )
            )
            urn += 1
    return drafts


def _religion(rng: random.Random, phase: str) -> str | None:
    roll = rng.random()
    if phase == "primary":
        return "Church of England" if roll < 0.25 else "Roman Catholic" if roll < 0.33 else None
    if phase == "secondary":
        return "Roman Catholic" if roll < 0.1 else "Church of England" if roll < 0.15 else None
    return None


def _trusts(seed: int, drafts: list[SchoolDraft], partnerships: int) -> list[Trust]:
    """A few multi-academy trusts (one of them a partnership itself, when that partnership is in
    the county; the others across one to three partnerships of a quadrant), and single-academy
    trusts for some secondaries."""
    rng = random.Random(f"{seed}:trusts")
    uid = 90_000 + (seed % 100) * 100
    by_partnership: dict[str, list[SchoolDraft]] = {}
    for d in drafts:
        by_partnership.setdefault(d.partnership, []).append(d)
    keys = sorted(by_partnership)
    trusts: list[Trust] = []
    for key in keys:
        first = by_partnership[key][0]
        if first.area.kind == "trust":
            trusts.append(_mat(rng, str(uid), first.area.name, by_partnership[key], own_dates=True))
            uid += 1
    taken_names = {t.name for t in trusts}
    for k in range(max(1, round(partnerships / 6)) - len(trusts)):
        home = keys[(k * 7 + 1) % len(keys)]
        quadrant = by_partnership[home][0].area.quadrant
        others = [p for p in keys if p != home and by_partnership[p][0].area.quadrant == quadrant]
        spanned = [home, *rng.sample(others, min(len(others), rng.choice((0, 1, 2))))]
        members = []
        for key in spanned:
            free = [
                d for d in by_partnership[key] if d.trust_uid is None and d.area.kind != "trust"
            ]
            members += rng.sample(free, min(len(free), rng.randint(2, 5)))
        if not members:
            continue
        name = names.unique(_trust_name(rng, members[0]), members[0].area.town, taken_names)
        trusts.append(_mat(rng, str(uid), name, members, own_dates=k == 0))
        uid += 1
    for d in drafts:
        if d.phase == "secondary" and d.trust_uid is None and rng.random() < 0.4:
            d.trust_uid, d.single_academy_trust = str(uid), True
            uid += 1
    return trusts


def _trust_name(rng: random.Random, draft: SchoolDraft) -> str:
    return rng.choice(
        (
            f"{rng.choice(names.RIVERS)} Valley Academy Trust",
            f"{rng.choice(names.FEATURES)} Learning Trust",
            f"{draft.area.town} Schools Trust",
            f"{rng.choice(names.RIVERS)} Education Partnership Trust",
        )
    )


def _mat(
    rng: random.Random, uid: str, name: str, members: list[SchoolDraft], *, own_dates: bool
) -> Trust:
    for d in members:
        d.trust_uid = uid
    opened = date(rng.randint(2012, 2019), rng.choice((4, 9)), 1)
    return Trust(
        uid=uid,
        name=name,
        group_type="Multi-academy trust",
        companies_house_number=f"{rng.randint(7_000_000, 12_999_999):08d}",
        opened_on=opened,
        urns=tuple(d.urn for d in members),
        own_term_dates=own_dates,
    )


def _single_academy_trusts(seed: int, schools: list[School], taken: set[str]) -> list[Trust]:
    rng = random.Random(f"{seed}:single-academy-trusts")
    return [
        Trust(
            uid=s.trust_uid or "",
            name=names.unique(f"{s.name.split(',')[0]} Trust", s.town, taken),
            group_type="Single-academy trust",
            companies_house_number=f"{rng.randint(7_000_000, 12_999_999):08d}",
            opened_on=s.opened_on,
            urns=(s.urn,),
        )
        for s in schools
        if s.single_academy_trust
    ]


def _people(
    seed: int, schools: list[School], partnership_keys: list[str], year: str
) -> list[Person]:
    rng = random.Random(f"{seed}:people")
    people: list[Person] = []
    emails: set[str] = set()
    domains: set[str] = set()
    for key in partnership_keys:
        members = [s for s in schools if s.partnership == key]
        for school in members:
            neighbours = sorted(
                (s for s in members if s.urn != school.urn),
                key=lambda s: (
                    (s.easting - school.easting) ** 2 + (s.northing - school.northing) ** 2
                ),
            )
            domain = names.school_domain(school.name, seed)
            if domain in domains:
                domain = f"{school.urn}.{domain}"
            domains.add(domain)
            staff_of_school = staff.school_staff(rng, school, domain, neighbours, year, emails)
            if school is _lead_school(members):
                head = staff_of_school[0]
                lead_role = Role("partnership_lead", partnership=key)
                staff_of_school[0] = replace(head, roles=(*head.roles, lead_role))
            people += staff_of_school
    return people


def _lead_school(members: list[School]) -> School:
    """The partnership lead is the head of its first primary school (or of its first school)."""
    return next((s for s in members if s.phase == "primary"), members[0])


def generate_county(
    seed: int = 0, size: CountySize = FULL, first_year: int = calendar.DEFAULT_YEAR
) -> County:
    """The county for ``seed`` and ``size``, planning the academic year that starts in
    September of ``first_year`` (its dates only: the same seed keeps its schools and people)."""
    drafts = _drafts(seed, size)
    trusts = _trusts(seed, drafts, size.partnerships)
    rng = random.Random(f"{seed}:names")
    taken: set[str] = set()
    numbering: Numbering = Counter()
    schools = [finish_school(rng, d, taken, STREETS, numbering) for d in drafts]
    trusts += _single_academy_trusts(seed, schools, {t.name for t in trusts})
    predecessors: list[ClosedPredecessor] = []
    for index, school in enumerate(schools):
        if school.predecessor_urn is not None:
            urn = urn_base(seed) + 1_000 + len(predecessors)
            schools[index] = replace(school, predecessor_urn=urn)
            predecessors.append(predecessor_of(schools[index], urn, numbering))
    keys = sorted({s.partnership for s in schools})
    essex = calendar.essex_year(first_year)
    year = essex.name
    people = _people(seed, schools, keys, year)
    lead_of = {r.partnership: p.email for p in people for r in p.roles if r.partnership}
    plan = random.Random(f"{seed}:programme")
    partnerships = []
    requests = []
    for index, key in enumerate(keys):
        area = AREAS[index]
        members = tuple(s.urn for s in schools if s.partnership == key)
        chosen = programme.policy(plan, len(members))
        partnerships.append(
            Partnership(
                key=key,
                name=area.name if seed == 0 else f"{area.name} (seed {seed})",
                kind=area.kind,
                quadrant=area.quadrant,
                urns=members,
                lead_email=lead_of[key],
                agreement=programme.agreement(plan, area.kind),
                policy=chosen,
            )
        )
        modes = programme.policy_modes(chosen)
        requests += [programme.request(plan, s, modes) for s in schools if s.partnership == key]
    return County(
        seed=seed,
        la_code=LA_CODE,
        la_name=LA_NAME,
        academic_year=year,
        quadrants=QUADRANTS,
        schools=tuple(schools),
        predecessors=tuple(predecessors),
        trusts=tuple(trusts),
        partnerships=tuple(partnerships),
        people=tuple(people),
        calendar=essex.calendar,
        school_calendars=_school_calendars(seed, schools, trusts, essex),
        requests=tuple(requests),
    )


def _school_calendars(
    seed: int, schools: list[School], trusts: list[Trust], essex: calendar.EssexYear
) -> tuple[SchoolCalendar, ...]:
    """The academies of trusts with their own term dates; and a few schools' own INSET days."""
    rng = random.Random(f"{seed}:school-calendars")
    own_dates = {t.uid for t in trusts if t.own_term_dates}
    found = []
    for s in schools:
        if s.trust_uid in own_dates:
            found.append(
                SchoolCalendar(s.urn, essex.trust_terms, essex.trust_inset_days, s.trust_uid)
            )
        elif rng.random() < 0.06:
            days = tuple(sorted(rng.sample(essex.school_inset_choices, 2)))
            found.append(SchoolCalendar(s.urn, None, days))
    return tuple(found)
