"""A feed's iCalendar document (RFC 5545, with the ``icalendar`` library): each review as an
all-day event over its day(s) and one per milestone, each meeting in UK time. UIDs are
stable (the review's or meeting's id), SEQUENCE is the plan version less one (it rises with
every change), and a cancelled review or meeting stays in the feed as STATUS:CANCELLED so that
subscribed calendars remove it.

Every event that is not cancelled carries a display alarm (VALARM) at a fixed lead: a review a
week ahead and a milestone the day before, at 09:00 (relative to the all-day start), a meeting
a day ahead. A fixed duration, because a calendar cannot count school days; the school-day
reminders are the ``reviews.milestone.due_soon`` events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from scheduling.planning.kernel.models import PlannedReview, PlanRole, PlanStatus
from scheduling.planning.meetings.models import Meeting, MeetingStatus

UK = ZoneInfo("Europe/London")
DOMAIN = "criticalfriend.org"
MILESTONES = (
    ("self_review_due", "Self-review due"),
    ("pre_review_meeting", "Pre-review meeting"),
    ("report_due", "Report due"),
    ("workshop_on", "Improvement workshop"),
    ("progress_review_due", "90-day progress review"),
)


#: How long before an event's start its alarm rings. All-day events start at midnight, so a
#: review's alarm is 09:00 a week before and a milestone's 09:00 the day before.
REVIEW_ALARM = -timedelta(days=6, hours=15)
MILESTONE_ALARM = -timedelta(hours=15)
MEETING_ALARM = -timedelta(days=1)


def _alarm(uid: str, lead: timedelta, description: str, stamp: datetime) -> icalendar.Alarm:
    """A display alarm ``lead`` before the event's start; its UID stable like the event's."""
    alarm = icalendar.Alarm.new(uid=f"alarm-{uid}", description=description)
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", lead)
    alarm.add("dtstamp", stamp)
    return alarm


@dataclass(frozen=True)
class FeedData:
    title: str
    uid: str
    reviews: Sequence[PlannedReview]
    meetings: Sequence[Meeting]
    school_names: dict[int, str]
    people_names: dict[object, str]


def _review_events(review: PlannedReview, data: FeedData) -> list[icalendar.Event]:
    school = data.school_names.get(review.urn, f"URN {review.urn}")
    status = "CANCELLED" if review.status is PlanStatus.CANCELLED else "CONFIRMED"
    sequence = review.version - 1
    names = data.people_names

    def who(role: PlanRole) -> str:
        return ", ".join(names.get(p.person_id, str(p.person_id)) for p in review.with_role(role))

    description = "\n".join(
        [
            f"Peer review of {school} (URN {review.urn}), {str(review.mode).replace('_', ' ')}.",
            f"Lead reviewer: {who(PlanRole.LEAD_REVIEWER)}.",
            f"Reviewers: {who(PlanRole.REVIEWER)}.",
            f"Improvement Champion: {who(PlanRole.IMPROVEMENT_CHAMPION)}.",
            *([f"Shadows: {who(PlanRole.SHADOW)}."] if review.with_role(PlanRole.SHADOW) else []),
            *(
                [f"Assistant IC: {who(PlanRole.ASSISTANT_IC)}."]
                if review.with_role(PlanRole.ASSISTANT_IC)
                else []
            ),
            f"Focus: {', '.join(review.focus) or 'to agree'}.",
        ]
    )
    days = review.dates()
    uid = f"review-{review.id}@{DOMAIN}"
    events = [
        icalendar.Event.new(
            uid=uid,
            start=days[0],
            end=days[-1] + timedelta(days=1),
            summary=f"Peer review: {school}",
            description=description,
            sequence=sequence,
            stamp=review.updated_at,
            last_modified=review.updated_at,
            status=status,  # type: ignore[arg-type]
        )
    ]
    alarms = [(uid, REVIEW_ALARM, f"Peer review of {school} in a week")]
    for name, label in MILESTONES:
        day = date.fromisoformat(review.milestones[name])
        milestone_uid = f"review-{review.id}-{name}@{DOMAIN}"
        events.append(
            icalendar.Event.new(
                uid=milestone_uid,
                start=day,
                end=day + timedelta(days=1),
                summary=f"{label}: {school}",
                description=f"{label} of the peer review of {school} (URN {review.urn}).",
                sequence=sequence,
                stamp=review.updated_at,
                last_modified=review.updated_at,
                status=status,  # type: ignore[arg-type]
            )
        )
        alarms.append((milestone_uid, MILESTONE_ALARM, f"{label} tomorrow: {school}"))
    if review.status is not PlanStatus.CANCELLED:
        for event, (event_uid, lead, text) in zip(events, alarms, strict=True):
            event.add_component(_alarm(event_uid, lead, text, review.updated_at))
    return events


def _meeting_event(meeting: Meeting) -> icalendar.Event:
    cancelled = meeting.status is MeetingStatus.CANCELLED
    uid = f"meeting-{meeting.id}@{DOMAIN}"
    event = icalendar.Event.new(
        uid=uid,
        start=meeting.starts_at.astimezone(UK),
        end=meeting.ends_at.astimezone(UK),
        summary=meeting.title,
        location=meeting.location,
        sequence=meeting.version - 1,
        stamp=meeting.updated_at,
        last_modified=meeting.updated_at,
        status="CANCELLED" if cancelled else "CONFIRMED",  # type: ignore[arg-type]
    )
    if not cancelled:
        text = f"{meeting.title} tomorrow"
        event.add_component(_alarm(uid, MEETING_ALARM, text, meeting.updated_at))
    return event


def render(data: FeedData) -> bytes:
    calendar = icalendar.Calendar.new(
        prodid="-//Critical Friend//Schedule//EN",
        name=data.title,
        method="PUBLISH",
        uid=data.uid,
        refresh_interval=timedelta(hours=1),
    )
    for review in data.reviews:
        for event in _review_events(review, data):
            calendar.add_component(event)
    for meeting in data.meetings:
        calendar.add_component(_meeting_event(meeting))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
