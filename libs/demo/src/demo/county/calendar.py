"""Essex's term dates for an academic year as the LA calendar, and the dates some schools keep.

The pattern of Essex's published years, as rules: the year starts on the first Wednesday of
September with a common INSET day; a one-week half-term in the week of the last Monday of
October; Christmas from the last Friday on or before 20 December; back on the first weekday
from 4 January (another INSET day); a half-term in mid-February; the spring holiday from the
Thursday before Good Friday to two weeks after Easter Monday; a week at the Spring bank
holiday; the year ends on the Wednesday between 19 and 25 July. For 2026-27 that gives
2 September 2026 to 21 July 2027 (Good Friday is 26 March 2027).

Blackouts: the early May bank holiday, the KS2 test week (from the second Monday of May) for
schools with year 6, and the main GCSE and A level series after it for schools with exam
classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from demo.county.model import Blackout, LaCalendar, Term

DEFAULT_YEAR = 2026  # 2026-27


def academic_year(first: int) -> str:
    return f"{first}-{(first + 1) % 100:02d}"


def _easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _weekday_on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _first_weekday_from(day: date) -> date:
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


MONDAY, WEDNESDAY, THURSDAY, FRIDAY = 0, 2, 3, 4


@dataclass(frozen=True)
class EssexYear:
    first: int
    terms: tuple[Term, ...]
    trust_terms: tuple[Term, ...]  # some trusts: a two-week October half-term, an earlier end
    inset_days: tuple[date, ...]
    trust_inset_days: tuple[date, ...]
    school_inset_choices: tuple[date, ...]  # school days a school may add as its own INSET
    calendar: LaCalendar

    @property
    def name(self) -> str:
        return academic_year(self.first)


def essex_year(first: int = DEFAULT_YEAR) -> EssexYear:
    """The academic year ``first``-``first + 1`` in Essex's pattern."""
    autumn_start = _weekday_on_or_after(date(first, 9, 1), WEDNESDAY)
    october = _weekday_on_or_before(date(first, 10, 31), MONDAY)  # its half-term week
    christmas = _weekday_on_or_before(date(first, 12, 20), FRIDAY)
    spring_start = _first_weekday_from(date(first + 1, 1, 4))
    february = _weekday_on_or_after(date(first + 1, 2, 13), MONDAY)
    easter = _easter(first + 1)
    whitsun = _weekday_on_or_before(date(first + 1, 5, 31), MONDAY)  # Spring bank holiday
    summer_end = _weekday_on_or_after(date(first + 1, 7, 19), WEDNESDAY)
    terms = (
        Term("autumn1", autumn_start, october - timedelta(days=3)),
        Term("autumn2", october + timedelta(days=7), christmas),
        Term("spring1", spring_start, february - timedelta(days=3)),
        Term("spring2", february + timedelta(days=7), easter - timedelta(days=3)),
        Term("summer1", easter + timedelta(days=15), whitsun - timedelta(days=3)),
        Term("summer2", whitsun + timedelta(days=7), summer_end),
    )
    trust_terms = (
        Term("autumn1", autumn_start, october - timedelta(days=10)),
        *terms[1:5],
        Term("summer2", terms[5].starts_on, summer_end - timedelta(days=5)),
    )
    may_day = _weekday_on_or_after(date(first + 1, 5, 1), MONDAY)
    ks2 = _weekday_on_or_after(date(first + 1, 5, 8), MONDAY)  # the second Monday of May
    blackouts = (
        Blackout(may_day, may_day, "Early May bank holiday"),
        Blackout(ks2, ks2 + timedelta(days=3), "KS2 tests",
                 ("primary", "middle_deemed_primary", "all_through")),
        Blackout(ks2 + timedelta(days=7), ks2 + timedelta(days=39),
                 "GCSE and A level exams (main series)", ("secondary", "all_through")),
    )  # fmt: skip
    inset_days = (autumn_start, spring_start)
    return EssexYear(
        first=first,
        terms=terms,
        trust_terms=trust_terms,
        inset_days=inset_days,
        trust_inset_days=(autumn_start, terms[1].starts_on, spring_start, terms[5].starts_on),
        school_inset_choices=(
            autumn_start + timedelta(days=1),
            terms[0].ends_on,
            terms[1].starts_on + timedelta(days=25),
            terms[2].ends_on,
            terms[3].ends_on,
            terms[4].starts_on,
            terms[5].starts_on + timedelta(days=21),
            summer_end,
        ),
        calendar=LaCalendar(terms=terms, inset_days=inset_days, blackouts=blackouts),
    )
