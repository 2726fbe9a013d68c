"""Essex's pattern of term dates, for any academic year: 2026-27 as published, and sane
dates for the years around it."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from demo.county.calendar import essex_year
from demo.county.generate import CountySize, generate_county
from demo.county.model import Term


def test_2026_27_is_essex_as_published() -> None:
    year = essex_year(2026)
    assert year.name == "2026-27"
    assert [(t.half_term, t.starts_on, t.ends_on) for t in year.terms] == [
        ("autumn1", date(2026, 9, 2), date(2026, 10, 23)),
        ("autumn2", date(2026, 11, 2), date(2026, 12, 18)),
        ("spring1", date(2027, 1, 4), date(2027, 2, 12)),
        ("spring2", date(2027, 2, 22), date(2027, 3, 25)),  # Good Friday is 26 March
        ("summer1", date(2027, 4, 12), date(2027, 5, 28)),
        ("summer2", date(2027, 6, 7), date(2027, 7, 21)),
    ]
    blackouts = {b.reason: (b.starts_on, b.ends_on) for b in year.calendar.blackouts}
    assert blackouts["KS2 tests"] == (date(2027, 5, 10), date(2027, 5, 13))
    assert blackouts["Early May bank holiday"] == (date(2027, 5, 3), date(2027, 5, 3))


def _school_days(terms: tuple[Term, ...], inset: tuple[date, ...]) -> int:
    days = 0
    for term in terms:
        day = term.starts_on
        while day <= term.ends_on:
            days += day.weekday() < 5 and day not in inset
            day += timedelta(days=1)
    return days


@pytest.mark.parametrize("first", range(2024, 2036))
def test_every_year_has_six_ordered_half_terms_of_weekdays(first: int) -> None:
    year = essex_year(first)
    for term in (*year.terms, *year.trust_terms):
        assert term.starts_on.weekday() < 5
        assert term.ends_on.weekday() < 5
        assert term.starts_on < term.ends_on
    for before, after in itertools.pairwise(year.terms):
        assert before.ends_on < after.starts_on
    assert date(first, 9, 1) <= year.terms[0].starts_on <= date(first, 9, 7)
    assert date(first + 1, 7, 19) <= year.terms[-1].ends_on <= date(first + 1, 7, 25)
    assert 185 <= _school_days(year.terms, year.inset_days) <= 195
    for day in (*year.inset_days, *year.trust_inset_days, *year.school_inset_choices):
        assert any(t.starts_on <= day <= t.ends_on for t in year.terms), day
        assert day.weekday() < 5


def test_another_year_moves_the_dates_and_keeps_the_people() -> None:
    small = CountySize(partnerships=2, min_schools=5, max_schools=5, target_schools=None)
    this, next_ = generate_county(3, small, 2026), generate_county(3, small, 2027)
    assert next_.academic_year == "2027-28"
    assert [p.email for p in this.people] == [p.email for p in next_.people]
    assert {r.academic_year for p in next_.people for r in p.roles} == {None, "2027-28"}
    first_day = next_.calendar.terms[0].starts_on
    for person in next_.people:
        for training in person.training:
            assert training.completed_on < first_day
