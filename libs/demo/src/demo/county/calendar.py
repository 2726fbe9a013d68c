"""Essex's term dates for 2026-27 as the LA calendar, and the dates some schools keep.

The pattern of Essex's published years: a Wednesday start after a common INSET day, a one-week
October half-term, Christmas to the first Monday of January, Easter as the spring holiday
(Good Friday is 26 March 2027), a week at the end of May. Blackouts: the KS2 test week for
schools with year 6, the early May bank holiday, and the main GCSE and A level series for
schools with exam classes.
"""

from __future__ import annotations

from datetime import date

from demo.county.model import Blackout, LaCalendar, Term

ACADEMIC_YEAR = "2026-27"

LA_TERMS = (
    Term("autumn1", date(2026, 9, 2), date(2026, 10, 23)),
    Term("autumn2", date(2026, 11, 2), date(2026, 12, 18)),
    Term("spring1", date(2027, 1, 4), date(2027, 2, 12)),
    Term("spring2", date(2027, 2, 22), date(2027, 3, 25)),
    Term("summer1", date(2027, 4, 12), date(2027, 5, 28)),
    Term("summer2", date(2027, 6, 7), date(2027, 7, 21)),
)
# Two-week October half-term and an earlier finish: some trusts' own pattern.
TRUST_TERMS = (
    Term("autumn1", date(2026, 9, 2), date(2026, 10, 16)),
    Term("autumn2", date(2026, 11, 2), date(2026, 12, 18)),
    Term("spring1", date(2027, 1, 4), date(2027, 2, 12)),
    Term("spring2", date(2027, 2, 22), date(2027, 3, 25)),
    Term("summer1", date(2027, 4, 12), date(2027, 5, 28)),
    Term("summer2", date(2027, 6, 7), date(2027, 7, 16)),
)
LA_INSET_DAYS = (date(2026, 9, 2), date(2027, 1, 4))
TRUST_INSET_DAYS = (date(2026, 9, 2), date(2026, 11, 2), date(2027, 1, 4), date(2027, 6, 7))
# Days a school may add for itself (its other INSET days), all school days in the LA's terms.
SCHOOL_INSET_CHOICES = (
    date(2026, 9, 3), date(2026, 10, 23), date(2026, 11, 27), date(2027, 2, 12),
    date(2027, 3, 25), date(2027, 4, 12), date(2027, 6, 28), date(2027, 7, 21),
)  # fmt: skip


def essex_calendar() -> LaCalendar:
    return LaCalendar(
        terms=LA_TERMS,
        inset_days=LA_INSET_DAYS,
        blackouts=(
            Blackout(date(2027, 5, 3), date(2027, 5, 3), "Early May bank holiday"),
            Blackout(
                date(2027, 5, 10),
                date(2027, 5, 13),
                "KS2 tests",
                ("primary", "middle_deemed_primary", "all_through"),
            ),
            Blackout(
                date(2027, 5, 17),
                date(2027, 6, 18),
                "GCSE and A level exams (main series)",
                ("secondary", "all_through"),
            ),
        ),
    )
