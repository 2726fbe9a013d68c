"""The pipeline forecast, pure: next year's need for lead reviewers, reviewers and
Improvement Champions (from the number of schools to review and the policy), against the
trained pool left after expiries and known leavers; the shortfall by role; who could be
trained; and the trainee places this year that would give them the experience.

No database: the service reads the facts, this decides. Needs are counted in people, each
doing at most the policy's reviews (or IC follow-ups) a year. A lead reviewer fills one team
place; spare trained leads count as reviewers (lead training counts as reviewer training).
A role whose training rule is ``off`` needs no training: its pool is everyone in that role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from math import ceil
from typing import Literal

Role = Literal["lead_reviewer", "reviewer", "improvement_champion"]
ROLES: tuple[Role, ...] = ("lead_reviewer", "reviewer", "improvement_champion")
#: Senior staff who may be trained as reviewers, and later as leads or ICs.
SENIOR = frozenset({"headteacher", "deputy", "senior_leader"})


@dataclass(frozen=True)
class Training:
    kind: Role
    completed_on: date
    expires_on: date | None = None

    def valid(self, first: date, last: date) -> bool:
        """Completed by the year's first day, not expiring before its last."""
        return self.completed_on <= first and (self.expires_on is None or self.expires_on >= last)


@dataclass(frozen=True)
class PersonFacts:
    id: str
    roles: frozenset[str]  # role kinds held at the partnership or its schools (any year)
    training: tuple[Training, ...] = ()
    leaves_on: date | None = None  # a known leaving date
    reviews_done: int = 0  # this year's reviews, as a lead or a reviewer


@dataclass(frozen=True)
class Policy:
    reviewers_per_team: int = 2
    max_reviews_per_person_per_year: int = 3
    max_workshops_per_champion_per_year: int = 4
    training: dict[Role, str] = field(
        default_factory=lambda: {
            "lead_reviewer": "hard",
            "reviewer": "off",
            "improvement_champion": "hard",
        }
    )
    max_shadowing_per_person_per_year: int = 2


@dataclass(frozen=True)
class RoleForecast:
    role: Role
    need: int  # people needed next year
    pool: int  # people able to take the role next year
    expiring: int  # trained now, but not valid through next year
    leaving: int  # trained through next year, but leaving before its end
    shortfall: int
    candidates: tuple[str, ...]  # who could be trained for it, best first
    suggested: tuple[str, ...]  # the first ``shortfall`` of them


@dataclass(frozen=True)
class TraineePlaces:
    """This year's trainee places that give the suggested people their experience: shadows
    beside each review (policy ``trainees.shadows_per_review``), and an assistant IC beside
    each IC (``trainees.assistant_ic``)."""

    shadows: tuple[str, ...]
    shadows_per_review: int
    assistant_ics: tuple[str, ...]
    assistant_ic: bool
    closes: bool  # every suggested person gets a place this year


@dataclass(frozen=True)
class Forecast:
    reviews: int
    roles: tuple[RoleForecast, ...]
    places: TraineePlaces

    def shortfall(self, role: Role) -> int:
        return next(r.shortfall for r in self.roles if r.role == role)


def _valid(p: PersonFacts, kinds: tuple[Role, ...], first: date, last: date) -> bool:
    return any(t.kind in kinds and t.valid(first, last) for t in p.training)


def _trained_now(p: PersonFacts, kinds: tuple[Role, ...], today: date) -> bool:
    return any(
        t.kind in kinds
        and t.completed_on <= today
        and (t.expires_on is None or t.expires_on >= today)
        for t in p.training
    )


def forecast(
    people: list[PersonFacts],
    *,
    reviews: int,
    policy: Policy,
    year: tuple[date, date],
    today: date,
    reviews_this_year: int,
) -> Forecast:
    """The forecast for the year ``year`` (first and last day) of ``reviews`` reviews, seen on
    ``today``, with ``reviews_this_year`` reviews left this year to place shadows beside."""
    first, last = year
    staying = [p for p in people if p.leaves_on is None or p.leaves_on > last]
    gone = {p.id for p in people} - {p.id for p in staying}
    per_year = policy.max_reviews_per_person_per_year
    kinds: dict[Role, tuple[Role, ...]] = {
        "lead_reviewer": ("lead_reviewer",),
        "reviewer": ("reviewer", "lead_reviewer"),
        "improvement_champion": ("improvement_champion",),
    }
    in_role: dict[Role, frozenset[str]] = {
        "lead_reviewer": frozenset({"lead_reviewer"}),
        "reviewer": frozenset({"reviewer", "lead_reviewer"}),
        "improvement_champion": frozenset({"improvement_champion", "assistant_ic"}),
    }

    def able(p: PersonFacts, role: Role) -> bool:
        if policy.training[role] == "off":
            return bool(p.roles & in_role[role])
        return _valid(p, kinds[role], first, last)

    def counts(role: Role) -> tuple[int, int, int]:
        pool = sum(able(p, role) for p in staying)
        expiring = sum(
            _trained_now(p, kinds[role], today) and not _valid(p, kinds[role], first, last)
            for p in staying
        )
        leaving = sum(_valid(p, kinds[role], first, last) for p in people if p.id in gone)
        return pool, expiring, leaving

    need_leads = ceil(reviews / per_year) if reviews else 0
    need_team = ceil(reviews * (1 + policy.reviewers_per_team) / per_year) if reviews else 0
    need_ics = ceil(reviews / policy.max_workshops_per_champion_per_year) if reviews else 0
    leads, lead_exp, lead_gone = counts("lead_reviewer")
    revs, rev_exp, rev_gone = counts("reviewer")
    ics, ic_exp, ic_gone = counts("improvement_champion")
    # every team place wants someone able to review; the leads needed are some of them, so
    # a reviewer trained as a lead leaves a reviewer's place to fill
    need_reviewers = need_team - need_leads
    rev_pool = max(0, revs - need_leads)
    lead_short = max(0, need_leads - leads)
    rev_short = max(0, need_team - revs)
    ic_short = max(0, need_ics - ics)

    def ranked(ok: list[PersonFacts]) -> tuple[str, ...]:
        return tuple(p.id for p in sorted(ok, key=lambda p: (-p.reviews_done, p.id)))

    lead_candidates = ranked(
        [p for p in staying if able(p, "reviewer") and not able(p, "lead_reviewer")]
    )
    suggested_leads = lead_candidates[:lead_short]
    # reviewers: those in a reviewing role still in training first (they already shadow),
    # then senior staff not able to review
    rev_candidates = tuple(
        p.id
        for p in sorted(
            staying,
            key=lambda p: (not p.roles & in_role["reviewer"], -p.reviews_done, p.id),
        )
        if not able(p, "reviewer") and p.roles & (SENIOR | in_role["reviewer"])
    )
    suggested_reviewers = rev_candidates[:rev_short]
    # assistant ICs first (they already follow an IC), then by this year's reviews
    ic_candidates = tuple(
        p.id
        for p in sorted(
            staying,
            key=lambda p: ("assistant_ic" not in p.roles, -p.reviews_done, p.id),
        )
        if not able(p, "improvement_champion") and (p.roles & SENIOR or "assistant_ic" in p.roles)
    )
    suggested_ics = ic_candidates[:ic_short]
    roles = (
        RoleForecast(
            "lead_reviewer",
            need_leads,
            leads,
            lead_exp,
            lead_gone,
            lead_short,
            lead_candidates,
            suggested_leads,
        ),
        RoleForecast(
            "reviewer",
            need_reviewers,
            rev_pool,
            rev_exp,
            rev_gone,
            rev_short,
            rev_candidates,
            suggested_reviewers,
        ),
        RoleForecast(
            "improvement_champion",
            need_ics,
            ics,
            ic_exp,
            ic_gone,
            ic_short,
            ic_candidates,
            suggested_ics,
        ),
    )
    return Forecast(
        reviews=reviews,
        roles=roles,
        places=_places(
            suggested_leads + suggested_reviewers, suggested_ics, reviews_this_year, policy
        ),
    )


def _places(
    shadows: tuple[str, ...], assistants: tuple[str, ...], reviews: int, policy: Policy
) -> TraineePlaces:
    """One shadowing for each suggested reviewer or lead (the solver's limit allowing), one
    assistant-IC place for each suggested IC, over this year's remaining reviews."""
    per_review = min(3, ceil(len(shadows) / reviews)) if shadows and reviews else 0
    closes = per_review * reviews >= len(shadows) and reviews >= len(assistants)
    return TraineePlaces(
        shadows=shadows,
        shadows_per_review=per_review,
        assistant_ics=assistants,
        assistant_ic=bool(assistants),
        closes=closes,
    )
