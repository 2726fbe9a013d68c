"""Due-soon reminders counted back in school days on the school's calendar: weekends, the
half-term holiday, the LA's INSET days (for schools on its dates) and a school's own INSET
days are skipped; a lead reaching before the year's first school day reminds on that day."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from scheduling.directory.cycle.schemas import Policy, ReminderPolicy
from scheduling.planning.kernel.reminders import milestone_reminders
from scheduling.planning.solver import problem_types as sm

URN, ACADEMY = 115000, 115001
CALENDAR = sm.Calendar(
    half_terms=(
        sm.HalfTerm("spring1", "spring", date(2027, 1, 4), date(2027, 2, 12)),
        sm.HalfTerm("spring2", "spring", date(2027, 2, 22), date(2027, 3, 31)),
    ),
    inset_days=frozenset({date(2027, 2, 22)}),  # the first day back, LA-wide
    school_inset_days={ACADEMY: frozenset({date(2027, 2, 11)})},
)
MILESTONES = {
    "self_review_due": "2027-02-24",  # a Wednesday, two school days after half-term
    "pre_review_meeting": "2027-03-03",
    "report_due": "2027-03-17",
    "workshop_window_end": "2027-03-31",
    "progress_review_due": "2027-01-06",  # early in the year: a lead reaches before it
}
POLICY = ReminderPolicy(
    self_review_due=[1, 3],
    pre_review_meeting=[5],
    report_due=[],
    workshop_window_end=[10],
    progress_review_due=[5],
)


def _reminders(urn: int) -> dict[tuple[str, int], date]:
    days = CALENDAR.school_days(urn, "primary")
    found = milestone_reminders(MILESTONES, days, POLICY)
    return {(r.milestone, r.lead_school_days): r.remind_on for r in found}


def test_reminders_skip_weekends_half_term_and_inset() -> None:
    assert _reminders(URN) == {
        # Tue 23 Feb (1); Mon 22 is INSET, then the weekend and the half-term week; Fri 12 (2),
        # Thu 11 (3)
        ("self_review_due", 3): date(2027, 2, 11),
        ("self_review_due", 1): date(2027, 2, 23),
        # Wed 3 Mar back five school days, over a weekend: Wed 24 Feb
        ("pre_review_meeting", 5): date(2027, 2, 24),
        # 31 Mar back ten: two weeks of school days, Wed 17 Mar
        ("workshop_window_end", 10): date(2027, 3, 17),
        # Wed 6 Jan is the third school day of the term: the first day stands in
        ("progress_review_due", 5): date(2027, 1, 4),
    }


def test_a_schools_own_inset_day_moves_its_reminder() -> None:
    reminders = _reminders(ACADEMY)
    assert reminders[("self_review_due", 3)] == date(2027, 2, 10)  # its INSET day 11 Feb
    assert reminders[("self_review_due", 1)] == date(2027, 2, 23)


def test_the_policy_has_defaults_and_refuses_a_repeated_lead() -> None:
    assert Policy.model_validate({}).reminders.self_review_due == [5]
    with pytest.raises(ValidationError, match="each lead time is given once"):
        Policy.model_validate({"reminders": {"report_due": [3, 3]}})
    with pytest.raises(ValidationError):
        Policy.model_validate({"reminders": {"report_due": [0]}})
