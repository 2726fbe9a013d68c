"""School-day arithmetic on an effective calendar (pure: no database).

A school day is a weekday inside one of the six half-terms that is not an INSET day. Blackouts
(the KS2 test week, say) are school days on which no review may be held; they do not change
the count. Bank holidays inside a half-term are not known to us: give them as INSET days.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class HalfTerm(StrEnum):
    AUTUMN1 = "autumn1"
    AUTUMN2 = "autumn2"
    SPRING1 = "spring1"
    SPRING2 = "spring2"
    SUMMER1 = "summer1"
    SUMMER2 = "summer2"


HALF_TERMS = tuple(HalfTerm)


class OutsideCalendarError(ValueError):
    """The arithmetic ran past the dates we have term dates for."""


@dataclass(frozen=True)
class Term:
    half_term: HalfTerm
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Blackout:
    starts_on: date
    ends_on: date
    phases: tuple[str, ...] | None = None  # None: every phase
    reason: str | None = None

    def applies_to(self, phase: str) -> bool:
        return self.phases is None or phase in self.phases


@dataclass(frozen=True)
class EffectiveCalendar:
    """One school's calendar for one academic year."""

    academic_year: str
    terms: tuple[Term, ...]
    inset_days: frozenset[date] = frozenset()
    blackouts: tuple[Blackout, ...] = ()

    def is_school_day(self, day: date) -> bool:
        return (
            day.weekday() < 5
            and day not in self.inset_days
            and any(t.starts_on <= day <= t.ends_on for t in self.terms)
        )

    def school_days(self) -> list[date]:
        days: list[date] = []
        for term in self.terms:
            day = term.starts_on
            while day <= term.ends_on:
                if day.weekday() < 5 and day not in self.inset_days:
                    days.append(day)
                day += timedelta(days=1)
        return sorted(set(days))

    def half_term_of(self, day: date) -> HalfTerm | None:
        return next((t.half_term for t in self.terms if t.starts_on <= day <= t.ends_on), None)


@dataclass
class SchoolDays:
    """The school days of consecutive academic years, for counting and stepping."""

    calendars: Sequence[EffectiveCalendar]
    _days: list[date] = field(init=False)

    def __post_init__(self) -> None:
        days: set[date] = set()
        for calendar in self.calendars:
            days.update(calendar.school_days())
        self._days = sorted(days)

    def count(self, start: date, end: date) -> int:
        """School days from ``start`` to ``end``, both included (0 when end < start)."""
        if end < start:
            return 0
        return bisect.bisect_right(self._days, end) - bisect.bisect_left(self._days, start)

    def add(self, day: date, n: int) -> date:
        """The ``n``-th school day after ``day`` (before it when ``n`` is negative); ``day``
        itself when ``n`` is 0. ``day`` need not be a school day."""
        if n == 0:
            return day
        if n > 0:
            index = bisect.bisect_right(self._days, day) + n - 1
        else:
            index = bisect.bisect_left(self._days, day) + n
        if index < 0 or index >= len(self._days):
            raise OutsideCalendarError(
                f"{abs(n)} school days {'after' if n > 0 else 'before'} {day} is outside the "
                "term dates we have"
            )
        return self._days[index]


def school_days(calendars: Iterable[EffectiveCalendar], start: date, end: date) -> int:
    return SchoolDays(list(calendars)).count(start, end)


def add_school_days(calendars: Iterable[EffectiveCalendar], day: date, n: int) -> date:
    return SchoolDays(list(calendars)).add(day, n)
