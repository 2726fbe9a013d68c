"""Seeded synthetic partnerships and counties for tests and benchmarks (2026-27 term dates)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from scheduling.planning.solver.problem_types import (
    Blackout,
    Calendar,
    Conflict,
    HalfTerm,
    History,
    Mode,
    Person,
    Phase,
    Policy,
    Problem,
    Role,
    School,
)

EXPERTISE = (
    "reading",
    "writing",
    "maths",
    "send",
    "early_years",
    "behaviour",
    "attendance",
    "curriculum",
    "disadvantaged",
    "support_staff",
    "wellbeing",
    "digital",
    "leadership",
)

KS2_TEST_WEEK = Blackout(date(2027, 5, 10), date(2027, 5, 14), frozenset({"primary"}), "KS2 tests")


def calendar_2026_27(school_inset: dict[int, frozenset[date]] | None = None) -> Calendar:
    """An Essex-like 2026-27 year: six half-terms, May bank holiday, INSET and KS2 test week."""
    return Calendar(
        half_terms=(
            HalfTerm("autumn1", "autumn", date(2026, 9, 2), date(2026, 10, 23)),
            HalfTerm("autumn2", "autumn", date(2026, 11, 2), date(2026, 12, 18)),
            HalfTerm("spring1", "spring", date(2027, 1, 5), date(2027, 2, 12)),
            HalfTerm("spring2", "spring", date(2027, 2, 22), date(2027, 3, 25)),
            HalfTerm("summer1", "summer", date(2027, 4, 12), date(2027, 5, 28)),
            HalfTerm("summer2", "summer", date(2027, 6, 7), date(2027, 7, 21)),
        ),
        closures=frozenset({date(2027, 5, 3)}),
        inset_days=frozenset({date(2026, 9, 2), date(2027, 1, 5)}),
        school_inset_days=school_inset or {},
        blackouts=(KS2_TEST_WEEK,),
    )


def _term_days(cal: Calendar) -> list[date]:
    out = []
    for ht in cal.half_terms:
        d = ht.start
        while d <= ht.end:
            if d.weekday() < 5:
                out.append(d)
            d += timedelta(days=1)
    return out


def county(
    seed: int = 0,
    partnerships: int = 36,
    schools: int = 400,
    people_per_school: int = 3,
    la: str = "881",
    policy: Policy | None = None,
    box_km: float = 60.0,
) -> Problem:
    """A county of ``partnerships`` partnerships sharing ``schools`` schools."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    base = calendar_2026_27()
    days = _term_days(base)
    centres = [
        (550_000 + rng.uniform(0, box_km * 1000), 180_000 + rng.uniform(0, box_km * 1000))
        for _ in range(partnerships)
    ]
    out_schools: list[School] = []
    inset: dict[int, frozenset[date]] = {}
    phases: tuple[Phase, ...] = ("primary", "primary", "primary", "secondary", "special")
    modes: tuple[Mode, ...] = ("in_person",) * 7 + ("virtual",) * 2 + ("blended",)
    halves = [ht.code for ht in base.half_terms]
    urn0 = 100_000 + 1_000 * (seed % 800)
    for i in range(schools):
        k = i % partnerships
        ce, cn = centres[k]
        urn = urn0 * 10 + i
        pref = frozenset(rng.sample(halves[:4], rng.choice((0, 1, 2))))
        out_schools.append(
            School(
                urn=urn,
                partnership_id=f"{la}-P{k:02d}",
                phase=rng.choice(phases),
                easting=ce + rng.gauss(0, 3000),
                northing=cn + rng.gauss(0, 3000),
                focus=frozenset(rng.sample(EXPERTISE, rng.choice((1, 2)))),
                preferred_half_terms=pref,
                mode=rng.choice(modes),
                days=2 if rng.random() < 0.1 else 1,
            )
        )
        inset[urn] = frozenset(rng.sample(days, 2))
    people: list[Person] = []
    conflicts: list[Conflict] = []
    history: list[History] = []
    for s in out_schools:
        for j in range(people_per_school):
            pid = f"p{s.urn}-{j}"
            roles: set[Role]
            trained = None
            if j == 0:
                lead = rng.random() < 0.7
                roles = {"lead_reviewer", "reviewer"} if lead else {"reviewer"}
                trained = date(2024, 9, 1) + timedelta(days=rng.randrange(600)) if lead else None
            elif j == 1:
                roles = {"reviewer"}
            else:
                roles = {"ic"} if rng.random() < 0.5 else {"reviewer", "assistant_ic"}
            people.append(
                Person(
                    id=pid,
                    home_urn=s.urn,
                    partnership_id=s.partnership_id,
                    roles=frozenset(roles),
                    trained_lead_on=trained,
                    expertise=frozenset(rng.sample(EXPERTISE, rng.choice((2, 3)))),
                    experienced=rng.random() < 0.7,
                    unavailable=frozenset(rng.sample(days, 6)),
                )
            )
    by_part: dict[str, list[School]] = {}
    for s in out_schools:
        by_part.setdefault(s.partnership_id, []).append(s)
    for p in people:
        mates = by_part[p.partnership_id or ""]
        if rng.random() < 0.05:
            other = rng.choice(mates)
            if other.urn != p.home_urn:
                conflicts.append(Conflict(p.id, other.urn, hard=True, reason="governor"))
        if rng.random() < 0.03:
            other = rng.choice(mates)
            if other.urn != p.home_urn:
                conflicts.append(
                    Conflict(p.id, other.urn, hard=False, waived=True, reason="friend")
                )
        if rng.random() < 0.3:
            other = rng.choice(mates)
            if other.urn != p.home_urn:
                history.append(History(p.id, other.urn, 1))
    pol = policy or Policy(cross_partnership=True)
    return Problem(
        schools=tuple(out_schools),
        people=tuple(people),
        calendar=calendar_2026_27(inset),
        policy=pol,
        conflicts=tuple(conflicts),
        history=tuple(history),
    )


def partnership(seed: int, n_schools: int, policy: Policy | None = None) -> Problem:
    """One small partnership (a cycle) of ``n_schools`` schools."""
    return county(
        seed,
        partnerships=1,
        schools=n_schools,
        la=f"9{seed % 100:02d}",
        policy=policy or Policy(),
        box_km=10.0,
    )


def national(
    seed: int = 0, las: int = 152, partnerships: int = 2_000, schools: int = 22_000
) -> list[Problem]:
    """England-sized: ``las`` counties, decomposed by LA (each LA is solved on its own)."""
    out = []
    for i in range(las):
        np_ = partnerships // las + (1 if i < partnerships % las else 0)
        ns = schools // las + (1 if i < schools % las else 0)
        out.append(county(seed * 1000 + i, partnerships=np_, schools=ns, la=f"{300 + i}"))
    return out
