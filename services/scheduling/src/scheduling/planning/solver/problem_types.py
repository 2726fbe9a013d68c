"""The solver's input and output: plain frozen dataclasses, no database, no HTTP.

A :class:`Problem` holds one or more cycles (one per partnership) of one local authority: the
schools with their requests, the people, conflicts, history, the calendar and the policies. The
solvers answer a :class:`Schedule` of :class:`Assignment` with a :class:`QualityReport`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

Role = Literal["lead_reviewer", "reviewer", "ic", "assistant_ic"]
# How the policy holds a role to its training: never without it, at a cost, or not at all.
TrainingRule = Literal["hard", "soft", "off"]
Mode = Literal["in_person", "virtual", "blended"]
Phase = Literal[
    "nursery",
    "primary",
    "middle_deemed_primary",
    "secondary",
    "middle_deemed_secondary",
    "sixteen_plus",
    "all_through",
    "special",
]

MODES: tuple[Mode, ...] = ("in_person", "virtual", "blended")


@dataclass(frozen=True)
class School:
    """A school to review in its partnership's cycle, with its request."""

    urn: int
    partnership_id: str
    phase: Phase
    easting: float
    northing: float
    focus: frozenset[str] = frozenset()  # requested expertise codes
    preferred_half_terms: frozenset[str] = frozenset()  # HalfTerm.code; empty = no preference
    mode: Mode = "in_person"
    days: Literal[1, 2] = 1


@dataclass(frozen=True)
class Person:
    id: str
    home_urn: int | None  # None: not on a school's staff (no home school to travel from)
    partnership_id: str | None
    roles: frozenset[Role]
    trained_lead_on: date | None = None
    expertise: frozenset[str] = frozenset()
    experienced: bool = True
    unavailable: frozenset[date] = frozenset()
    name: str = ""  # for explanations a Partnership Lead can act on; the id if empty
    # Easting and northing of the home school, carried on the person because that school need
    # not be in the problem (its cycle is another's draft, or not being solved).
    home_location: tuple[float, float] | None = None
    # Reviewer and IC training valid for the whole cycle (lead training: ``trained_lead_on``).
    # Lead-reviewer training counts as reviewer training.
    trained_reviewer: bool = True
    trained_ic: bool = True
    # In training: may shadow a review (reviewer training pending or no review done yet);
    # ``needs_experience``: shadowing first, so they can review next year.
    learner: bool = False
    needs_experience: bool = False

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def trained_lead(self) -> bool:
        return "lead_reviewer" in self.roles and self.trained_lead_on is not None

    @property
    def reviewer_trained(self) -> bool:
        return self.trained_reviewer or self.trained_lead_on is not None

    def may_lead(self, rule: TrainingRule) -> bool:
        trained = self.trained_lead_on is not None
        return "lead_reviewer" in self.roles and (rule != "hard" or trained)

    def may_review(self, rule: TrainingRule) -> bool:
        return self.can_review and (rule != "hard" or self.reviewer_trained)

    def may_champion(self, rule: TrainingRule) -> bool:
        return self.can_champion and (rule != "hard" or self.trained_ic)

    @property
    def can_assist(self) -> bool:
        return "assistant_ic" in self.roles

    @property
    def can_review(self) -> bool:
        return bool(self.roles & {"reviewer", "lead_reviewer"})

    @property
    def can_champion(self) -> bool:
        return "ic" in self.roles


@dataclass(frozen=True)
class Conflict:
    person_id: str
    urn: int
    hard: bool
    waived: bool = False  # a soft conflict waived with a recorded reason may be assigned
    reason: str = ""


@dataclass(frozen=True)
class History:
    """``person_id`` reviewed ``urn`` ``cycles_ago`` cycles before this one (1 = last year)."""

    person_id: str
    urn: int
    cycles_ago: int


@dataclass(frozen=True)
class HalfTerm:
    code: str  # e.g. "autumn1"
    term: str  # "autumn" | "spring" | "summer"
    start: date
    end: date


@dataclass(frozen=True)
class Blackout:
    start: date
    end: date
    phases: frozenset[str]  # phases it applies to
    reason: str  # e.g. "KS2 test week"


@dataclass(frozen=True)
class Calendar:
    """An LA's academic year: half-terms, closures, INSET days and blackouts by phase, and the
    schools that set their own (academies: their own half-terms; a school's own INSET days and
    blackouts). LA INSET days apply to the schools on the LA's half-terms only."""

    half_terms: tuple[HalfTerm, ...]
    closures: frozenset[date] = frozenset()  # bank holidays inside half-terms
    inset_days: frozenset[date] = frozenset()  # LA-wide INSET days
    school_inset_days: Mapping[int, frozenset[date]] = field(default_factory=dict)
    blackouts: tuple[Blackout, ...] = ()
    school_half_terms: Mapping[int, tuple[HalfTerm, ...]] = field(default_factory=dict)
    school_blackouts: Mapping[int, tuple[Blackout, ...]] = field(default_factory=dict)

    def terms_for(self, urn: int | None) -> tuple[HalfTerm, ...]:
        if urn is None:
            return self.half_terms
        return self.school_half_terms.get(urn, self.half_terms)

    def has_own_dates(self, urn: int) -> bool:
        return urn in self.school_half_terms or urn in self.school_blackouts

    def half_term_of(self, day: date, urn: int | None = None) -> HalfTerm | None:
        for ht in self.terms_for(urn):
            if ht.start <= day <= ht.end:
                return ht
        return None

    def closed_reason(self, day: date, urn: int, phase: str) -> str | None:
        """Why ``day`` is not a review day for the school, or None if it is a school day."""
        if self.half_term_of(day, urn) is None:
            return "outside term time"
        if day.weekday() >= 5:
            return "weekend"
        if day in self.closures:
            return "closure"
        la_inset = urn not in self.school_half_terms and day in self.inset_days
        if la_inset or day in self.school_inset_days.get(urn, frozenset()):
            return "INSET day"
        for b in (*self.blackouts, *self.school_blackouts.get(urn, ())):
            if b.start <= day <= b.end and phase in b.phases:
                return b.reason
        return None

    def school_days(self, urn: int, phase: str) -> tuple[date, ...]:
        out: list[date] = []
        for ht in self.terms_for(urn):
            d = ht.start
            while d <= ht.end:
                if self.closed_reason(d, urn, phase) is None:
                    out.append(d)
                d += timedelta(days=1)
        return tuple(sorted(out))


@dataclass(frozen=True)
class Milestones:
    """Offsets in SCHOOL days from the first (negative) or last (positive) review day."""

    self_review_due: int = -20
    pre_review: int = -7
    report_due: int = 10
    workshop_from: int = 15
    workshop_to: int = 30
    progress_review_days: int = 90  # CALENDAR days after the workshop ...
    progress_review_slack_days: int = 14  # ... the first school day in this many more


@dataclass(frozen=True)
class Weights:
    """Soft objective weights (penalties, lower total is better)."""

    expertise: int = 10  # per requested focus code no team member has
    balance: int = 3  # per team place given beyond/short of the places a school receives
    preferred_half_term: int = 20  # per review outside the school's preferred half-terms
    spread: int = 5  # per review above the even share of a half-term in a partnership
    pairing: int = 8  # per team with a new reviewer and no experienced one beside the lead
    travel_per_10km: int = 1  # per 10 km a team member travels to an in-person review
    soft_conflict: int = 15  # per waived soft conflict used
    untrained: int = 30  # per place held without the training a "soft" rule asks for
    shadow_place: int = 2  # per shadow or assistant-IC place left empty


@dataclass(frozen=True)
class Policy:
    reviewers_per_team: int = 2  # plus one lead
    max_reviews_per_term: int = 2
    max_reviews_per_year: int = 3
    max_reviews_per_person_per_week: int = 1
    max_ic_per_year: int = 4
    allowed_modes: frozenset[Mode] = frozenset(MODES)
    max_distance_km: float = 40.0  # in-person and blended
    max_reviews_per_week: int = 2  # in the partnership
    reciprocal_pairs_allowed: bool = True
    rotation_cycles: int = 1  # a reviewer may not review a school reviewed in the last N cycles
    cross_partnership: bool = False  # reviewers from other partnerships in the same problem
    lead_training: TrainingRule = "hard"
    reviewer_training: TrainingRule = "off"
    ic_training: TrainingRule = "hard"
    # Shadows (people in training) beside each team, and an assistant IC beside the IC: not
    # counted in the team or any limit but their own.
    shadows_per_review: int = 0
    max_shadowing_per_year: int = 2
    assistant_ic: bool = False
    max_assisting_per_year: int = 2
    milestones: Milestones = Milestones()
    weights: Weights = Weights()


@dataclass(frozen=True)
class Problem:
    """One or more cycles (one per partnership) solved together.

    ``fixed``: reviews of some of the ``schools`` that are kept as they are (other cycles'
    schedules, or the reviews a repair leaves alone): the solvers place only the other schools,
    and every rule counts the fixed reviews (a person's days, weeks, terms and year, the weekly
    capacity, reciprocity, the home-school balance). ``previous``: for a repair, the current
    review of a school to place; each change from it (date, each person, the IC) costs far more
    than any soft term, so only what must change, changes.
    """

    schools: tuple[School, ...]
    people: tuple[Person, ...]
    calendar: Calendar
    policy: Policy = Policy()  # default for every partnership
    policies: Mapping[str, Policy] = field(default_factory=dict)  # per partnership
    conflicts: tuple[Conflict, ...] = ()
    history: tuple[History, ...] = ()
    fixed: tuple[Assignment, ...] = ()
    previous: Mapping[int, Assignment] = field(default_factory=dict)

    def policy_for(self, partnership_id: str | None) -> Policy:
        if partnership_id is None:
            return self.policy
        return self.policies.get(partnership_id, self.policy)


def distance_km(e1: float, n1: float, e2: float, n2: float) -> float:
    """Straight-line distance between two British National Grid points, in km."""
    return math.hypot(e1 - e2, n1 - n2) / 1000.0


def travel_km(person: Person, school: School, by_urn: Mapping[int, School]) -> float | None:
    """How far ``person`` travels to ``school`` (from their home school), in km; None when
    they have no home school with a known location."""
    home = person.home_location
    if home is None and person.home_urn is not None and person.home_urn in by_urn:
        known = by_urn[person.home_urn]
        home = (known.easting, known.northing)
    if home is None:
        return None
    return distance_km(home[0], home[1], school.easting, school.northing)


# -- output -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneDates:
    self_review_due: date
    pre_review: date
    report_due: date
    workshop: date
    progress_review: date


@dataclass(frozen=True)
class Assignment:
    urn: int
    dates: tuple[date, ...]
    mode: Mode
    lead: str
    reviewers: tuple[str, ...]
    ic: str
    milestones: MilestoneDates
    shadows: tuple[str, ...] = ()  # people in training beside the team, on the review days
    assistant_ic: str | None = None  # beside the IC at the workshop and the 90-day review

    @property
    def team(self) -> tuple[str, ...]:
        return (self.lead, *self.reviewers)

    @property
    def review_day_people(self) -> tuple[str, ...]:
        """Everyone at the review on its days: the team and the shadows."""
        return (self.lead, *self.reviewers, *self.shadows)

    @property
    def workshop_people(self) -> tuple[str, ...]:
        """Everyone at the workshop and the 90-day review: the IC and any assistant."""
        return (self.ic,) if self.assistant_ic is None else (self.ic, self.assistant_ic)


@dataclass(frozen=True)
class SoftBreak:
    rule: str
    urn: int | None
    person_id: str | None
    detail: str
    partnership_id: str | None = None


@dataclass(frozen=True)
class QualityReport:
    terms: Mapping[str, int]  # weighted penalty of each soft term
    broken: tuple[SoftBreak, ...]
    by_partnership: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @property
    def objective(self) -> int:
        return sum(self.terms.values())


@dataclass(frozen=True)
class Schedule:
    assignments: tuple[Assignment, ...]
    quality: QualityReport

    def by_urn(self) -> dict[int, Assignment]:
        return {a.urn: a for a in self.assignments}


@dataclass(frozen=True)
class Explanation:
    """Why no schedule exists, in words a Partnership Lead can act on."""

    rule: str
    message: str
    urn: int | None = None
    person_id: str | None = None
    partnership_id: str | None = None
    person_ids: tuple[str, ...] = ()  # the people who block it, where the solver can say


@dataclass(frozen=True)
class SolveResult:
    status: Literal["optimal", "feasible", "infeasible", "unknown", "cancelled"]
    schedule: Schedule | None
    explanations: tuple[Explanation, ...] = ()
    objective: int | None = None
    best_bound: float | None = None
    wall_time_s: float = 0.0
    stats: Mapping[str, float] = field(default_factory=dict)
