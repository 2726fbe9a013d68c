"""Due-soon reminders of a review's milestones: each of the cycle policy's lead times counted
back in school days on the school's own calendar, the days its milestones are counted on
(weekends, holidays, closures and INSET days skipped). Sent with every plan, so reviews needs
no calendar of its own to announce them (``reviews.milestone.due_soon``)."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import date

from contracts.schedule import MilestoneReminder
from scheduling.directory.cycle.schemas import ReminderPolicy


def milestone_reminders(
    milestones: Mapping[str, str], school_days: Sequence[date], policy: ReminderPolicy
) -> list[MilestoneReminder]:
    """One reminder per milestone and lead time, longest lead first. A lead reaching back
    before the first school day we know reminds on that day; never after the milestone."""
    reminders = []
    for name, leads in policy:
        due = date.fromisoformat(milestones[name])
        index = bisect.bisect_left(school_days, due)  # the milestone's own place in the days
        for lead in sorted(leads, reverse=True):
            on = school_days[max(index - lead, 0)] if school_days else due
            reminders.append(
                MilestoneReminder(milestone=name, lead_school_days=lead, remind_on=min(on, due))
            )
    return reminders
