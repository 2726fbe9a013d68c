"""HTTP models of calendars: an LA's term dates, a school's override, the effective calendar."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from common.http.schemas import StrictModel
from contracts.directory import Phase
from scheduling.directory.calendar.days import HALF_TERMS, HalfTerm

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class TermIn(StrictModel):
    half_term: HalfTerm
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError(f"{self.half_term} ends before it starts")
        return self


class BlackoutIn(StrictModel):
    """Dates no review may be held, for some phases (null: every phase)."""

    starts_on: date
    ends_on: date
    phases: Annotated[list[Phase], Field(min_length=1)] | None = None
    reason: Reason | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("a blackout ends before it starts")
        return self


Terms = Annotated[list[TermIn], Field(min_length=6, max_length=6)]
InsetDays = Annotated[list[date], Field(max_length=20)]
Blackouts = Annotated[list[BlackoutIn], Field(max_length=50)]

TERMS_EXAMPLE: list[Any] = [
    {"half_term": "autumn1", "starts_on": "2026-09-03", "ends_on": "2026-10-23"},
    {"half_term": "autumn2", "starts_on": "2026-11-02", "ends_on": "2026-12-18"},
    {"half_term": "spring1", "starts_on": "2027-01-05", "ends_on": "2027-02-12"},
    {"half_term": "spring2", "starts_on": "2027-02-22", "ends_on": "2027-03-26"},
    {"half_term": "summer1", "starts_on": "2027-04-12", "ends_on": "2027-05-28"},
    {"half_term": "summer2", "starts_on": "2027-06-07", "ends_on": "2027-07-21"},
]


def check_terms(terms: list[TermIn] | None) -> None:
    if terms is None:
        return
    if [t.half_term for t in terms] != list(HALF_TERMS):
        raise ValueError("terms are the six half-terms, autumn1 to summer2, in order")
    for before, after in itertools.pairwise(terms):
        if after.starts_on <= before.ends_on:
            raise ValueError(f"{after.half_term} starts before {before.half_term} ends")


class LaCalendarIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "terms": TERMS_EXAMPLE,
                    "inset_days": ["2026-09-02"],
                    "blackouts": [
                        {
                            "starts_on": "2027-05-10",
                            "ends_on": "2027-05-13",
                            "phases": ["primary"],
                            "reason": "KS2 tests",
                        }
                    ],
                }
            ]
        }
    )

    terms: Terms
    inset_days: InsetDays = []
    blackouts: Blackouts = []

    @model_validator(mode="after")
    def _terms(self) -> Self:
        check_terms(self.terms)
        return self


class SchoolCalendarIn(StrictModel):
    """A school's own dates. ``terms`` null keeps the LA's term dates."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"terms": None, "inset_days": ["2027-01-04"]}]}
    )

    terms: Terms | None = None
    inset_days: InsetDays = []
    blackouts: Blackouts = []

    @model_validator(mode="after")
    def _terms(self) -> Self:
        check_terms(self.terms)
        return self


class TermOut(StrictModel):
    half_term: HalfTerm
    starts_on: date
    ends_on: date


class BlackoutOut(StrictModel):
    starts_on: date
    ends_on: date
    phases: list[Phase] | None
    reason: str | None


class LaCalendarOut(StrictModel):
    la_code: str
    academic_year: str
    terms: list[TermOut]
    inset_days: list[date]
    blackouts: list[BlackoutOut]
    version: int
    updated_at: datetime


class SchoolCalendarOut(StrictModel):
    urn: int
    academic_year: str
    terms: list[TermOut] | None
    inset_days: list[date]
    blackouts: list[BlackoutOut]
    version: int
    updated_at: datetime


class InsetDayOut(StrictModel):
    day: date
    source: Literal["la", "school"]


class EffectiveBlackoutOut(BlackoutOut):
    source: Literal["la", "school"]


class EffectiveCalendarOut(StrictModel):
    """What counts for one school in one year: its terms (its own or its LA's), every INSET
    day and every blackout that applies to its phase."""

    urn: int
    la_code: str
    phase: Phase
    academic_year: str
    starts_on: date
    ends_on: date
    terms_source: Literal["la", "school"]
    terms: list[TermOut]
    inset_days: list[InsetDayOut]
    blackouts: list[EffectiveBlackoutOut]
    school_days: int = Field(description="School days in the year (weekdays in term, not INSET).")
