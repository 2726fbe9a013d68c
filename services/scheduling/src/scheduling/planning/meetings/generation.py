"""The meetings a cycle's policy asks for, on school days of the LA's calendar (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scheduling.directory.cycle.schemas import MeetingPolicy
from scheduling.planning.meetings.models import MeetingKind

UK = ZoneInfo("Europe/London")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
_TRAINING = {
    "reviewer": "Reviewer training",
    "lead_reviewer": "Lead reviewer training",
    "improvement_champion": "Improvement Champion training",
}


@dataclass(frozen=True)
class Planned:
    key: str
    kind: MeetingKind
    title: str
    starts_at: datetime
    ends_at: datetime


def _on(day: date, policy: MeetingPolicy) -> tuple[datetime, datetime]:
    start = datetime.combine(day, policy.starts_at, tzinfo=UK).astimezone(UTC)
    return start, start + timedelta(minutes=policy.duration_minutes)


def _week_day(start: date, end: date, week: int, weekday: int, closed: set[date]) -> date | None:
    """The ``weekday`` of the ``week``-th week of a half-term, or the next open day after it
    in the half-term (an INSET day, a half-term that starts late in the week)."""
    monday = start - timedelta(days=start.weekday())
    day = monday + timedelta(days=7 * (week - 1) + weekday)
    while day <= end:
        if day >= start and day.weekday() < 5 and day not in closed:
            return day
        day += timedelta(days=1)
    return None


def _first_weekday_from(
    day: date, span: tuple[date, date], weekday: int, closed: set[date]
) -> date | None:
    day = max(day, span[0])
    while day <= span[1]:
        if day.weekday() == weekday and day not in closed:
            return day
        day += timedelta(days=1)
    return None


def meetings_for(
    policy: MeetingPolicy, terms: list[dict[str, Any]], inset_days: list[str], partnership: str
) -> list[Planned]:
    closed = {date.fromisoformat(d) for d in inset_days}
    weekday = WEEKDAYS.index(policy.weekday)
    spans = {
        t["half_term"]: (date.fromisoformat(t["starts_on"]), date.fromisoformat(t["ends_on"]))
        for t in terms
    }
    out: list[Planned] = []
    if policy.headteacher_meetings:
        for code, (start, end) in spans.items():
            day = _week_day(start, end, policy.headteacher_meeting_week, weekday, closed)
            if day is not None:
                title = f"{partnership}: headteachers' meeting ({code})"
                out.append(
                    Planned(
                        f"headteacher:{code}",
                        MeetingKind.HEADTEACHER_MEETING,
                        title,
                        *_on(day, policy),
                    )
                )
    for session in policy.training:
        start, end = spans[str(session.half_term)]
        day = _week_day(start, end, session.week, weekday, closed)
        if day is not None:
            key = f"training:{session.kind}:{session.half_term}"
            title = f"{partnership}: {_TRAINING[session.kind]}"
            out.append(Planned(key, MeetingKind.TRAINING, title, *_on(day, policy)))
    if policy.evaluation_session:
        summer = spans.get("summer2")
        if summer is not None:
            day = _first_weekday_from(date(summer[0].year, 6, 15), summer, weekday, closed)
            if day is not None:
                title = f"{partnership}: evaluation session (the year's reviews compared)"
                out.append(Planned("evaluation", MeetingKind.EVALUATION, title, *_on(day, policy)))
    return sorted(out, key=lambda m: (m.starts_at, m.key))
