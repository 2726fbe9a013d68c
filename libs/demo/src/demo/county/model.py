"""The synthetic county as plain values: what the demo wants the running system to hold.

Everything here is derived from a seed (see :mod:`demo.county.generate`); the steps compare it
with what the API answers and create or change only the difference. Field names follow the
REST API's bodies, so a value becomes a request body without translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Place:
    """A town with its district, postcode districts and British National Grid position."""

    name: str
    district: str
    postcodes: tuple[str, ...]
    easting: int
    northing: int
    radius_m: int
    localities: tuple[str, ...]


@dataclass(frozen=True)
class School:
    urn: int
    name: str
    phase: str  # the API's phase: primary, secondary, special, all_through
    gias_phase: str  # PhaseOfEducation (name) as GIAS writes it
    gias_type: str  # TypeOfEstablishment (name)
    establishment_number: str
    partnership: str  # the partnership's key
    quadrant: str
    town: str
    street: str
    postcode: str
    easting: int
    northing: int
    low_age: int
    high_age: int
    pupils: int
    religious_character: str | None = None
    trust_uid: str | None = None
    single_academy_trust: bool = False
    opened_on: date = date(1974, 4, 1)
    predecessor_urn: int | None = None  # the maintained school it converted from

    @property
    def is_academy(self) -> bool:
        return self.gias_type.startswith("Academy")


@dataclass(frozen=True)
class ClosedPredecessor:
    """The maintained school an academy converted from: closed, linked both ways in GIAS."""

    urn: int
    name: str
    gias_type: str
    establishment_number: str
    closed_on: date
    successor_urn: int


@dataclass(frozen=True)
class Trust:
    uid: str
    name: str
    group_type: str  # Multi-academy trust or Single-academy trust
    companies_house_number: str
    opened_on: date
    urns: tuple[int, ...]
    own_term_dates: bool = False  # its academies keep the trust's own term dates


@dataclass(frozen=True)
class Agreement:
    partnership_visibility: str = "named"
    trust_visibility: str = "aggregated"
    local_authority_visibility: str = "aggregated"
    suppression_threshold: int = 5

    def body(self) -> dict[str, Any]:
        return {
            "partnership_visibility": self.partnership_visibility,
            "trust_visibility": self.trust_visibility,
            "local_authority_visibility": self.local_authority_visibility,
            "suppression_threshold": self.suppression_threshold,
        }


DEFAULT_AGREEMENT = Agreement()


@dataclass(frozen=True)
class Partnership:
    key: str  # stable within a seed: p01, p02, ...
    name: str
    kind: str
    quadrant: str
    urns: tuple[int, ...]
    lead_email: str
    agreement: Agreement
    policy: dict[str, Any]  # the part of the cycle policy this partnership sets


@dataclass(frozen=True)
class Role:
    role: str
    urn: int | None = None
    partnership: str | None = None  # a partnership key; the API wants its id
    academic_year: str | None = None


@dataclass(frozen=True)
class Training:
    kind: str
    completed_on: date
    expires_on: date | None = None


@dataclass(frozen=True)
class Unavailable:
    starts_on: date
    ends_on: date
    reason: str


@dataclass(frozen=True)
class Conflict:
    kind: str
    urn: int
    severity: str
    note: str
    waiver: str | None = None  # a soft conflict waived with this reason


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    school: int  # the school that registers them (their home school)
    roles: tuple[Role, ...]
    expertise: tuple[str, ...]
    training: tuple[Training, ...] = ()
    unavailable: tuple[Unavailable, ...] = ()
    conflicts: tuple[Conflict, ...] = ()

    @property
    def has_partnership_role(self) -> bool:
        return any(r.partnership is not None for r in self.roles)


@dataclass(frozen=True)
class Term:
    half_term: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Blackout:
    starts_on: date
    ends_on: date
    reason: str
    phases: tuple[str, ...] | None = None


@dataclass(frozen=True)
class LaCalendar:
    terms: tuple[Term, ...]
    inset_days: tuple[date, ...]
    blackouts: tuple[Blackout, ...]


@dataclass(frozen=True)
class SchoolCalendar:
    """A school's own dates: its own terms (academies of some trusts), or only INSET days."""

    urn: int
    terms: tuple[Term, ...] | None
    inset_days: tuple[date, ...]
    set_by_trust: str | None = None  # the trust's uid when the trust sets them


@dataclass(frozen=True)
class Request:
    urn: int
    focus: tuple[str, ...]
    preferred_half_terms: tuple[str, ...]
    mode: str
    days: int


@dataclass(frozen=True)
class County:
    seed: int
    la_code: str
    la_name: str
    academic_year: str
    quadrants: tuple[str, ...]
    schools: tuple[School, ...]
    predecessors: tuple[ClosedPredecessor, ...]
    trusts: tuple[Trust, ...]
    partnerships: tuple[Partnership, ...]
    people: tuple[Person, ...]
    calendar: LaCalendar
    school_calendars: tuple[SchoolCalendar, ...]
    requests: tuple[Request, ...]
    _by_urn: dict[int, School] = field(default_factory=dict, compare=False, repr=False)

    def school(self, urn: int) -> School:
        if not self._by_urn:
            self._by_urn.update({s.urn: s for s in self.schools})
        return self._by_urn[urn]

    def partnership(self, key: str) -> Partnership:
        return next(p for p in self.partnerships if p.key == key)
