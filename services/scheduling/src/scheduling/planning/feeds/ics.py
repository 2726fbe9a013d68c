"""A feed's iCalendar document (RFC 5545, with the ``icalendar`` library): each review as an
all-day event over its day(s) and one per milestone, each meeting in UK time. UIDs are
stable (the review's or meeting's id), SEQUENCE is the plan version less one (it rises with
every change), and a cancelled review or meeting stays in the feed as STATUS:CANCELLED so that
subscribed calendars remove it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
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
    events = [
        icalendar.Event.new(
            uid=f"review-{review.id}@{DOMAIN}",
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
    for name, label in MILESTONES:
        day = date.fromisoformat(review.milestones[name])
        events.append(
            icalendar.Event.new(
                uid=f"review-{review.id}-{name}@{DOMAIN}",
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
    return events


def _meeting_event(meeting: Meeting) -> icalendar.Event:
    cancelled = meeting.status is MeetingStatus.CANCELLED
    return icalendar.Event.new(
        uid=f"meeting-{meeting.id}@{DOMAIN}",
        start=meeting.starts_at.astimezone(UK),
        end=meeting.ends_at.astimezone(UK),
        summary=meeting.title,
        location=meeting.location,
        sequence=meeting.version - 1,
        stamp=meeting.updated_at,
        last_modified=meeting.updated_at,
        status="CANCELLED" if cancelled else "CONFIRMED",  # type: ignore[arg-type]
    )


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
