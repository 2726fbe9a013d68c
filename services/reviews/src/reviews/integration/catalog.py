"""The events a subscriber, a stream reader or a feed reader may receive, and the stream
they are read from.

``REVIEW_EVENTS`` copies (JetStream *sources*) the REVIEWS stream and the schedule's review
events of the SCHEDULING stream into one sequence, so one cursor or ``Last-Event-ID`` covers
the whole review lifecycle, and one durable consumer fans it out to webhooks. Order is kept
within each source; between the two it is the order of arrival (a review's ``planned`` is on
SCHEDULING before reviews acts on it, and is copied within milliseconds: the stream is created
only once both sources exist, ``common.messaging.ensure_copying_stream``).

Two kinds of event, two audiences (see ``reviews.integration.service``):

- *lifecycle* events say where a review is: for every token that covers its school;
- *content* events carry the shape (and, where the agreement allows, the words) of what the
  review found: only for tokens that may read the review itself;
- *support* events (content events too) also reach the partner school an action names as its
  support (``support_urn``), which is asked and answers.
"""

from __future__ import annotations

from typing import Any

from nats.js.api import StreamSource

from contracts import reviews as review_events
from contracts import schedule as schedule_events
from contracts.events import EventDefinition

STREAM = "REVIEW_EVENTS"
SOURCES = (
    StreamSource(name="REVIEWS"),
    StreamSource(name="SCHEDULING", filter_subject="scheduling.review.>"),
)

LIFECYCLE: tuple[EventDefinition[Any], ...] = (
    schedule_events.REVIEW_PLANNED,
    schedule_events.REVIEW_RESCHEDULED,
    schedule_events.REVIEW_TEAM_CHANGED,
    schedule_events.REVIEW_CANCELLED,
    review_events.REVIEW_TRANSITIONED,
    review_events.MILESTONE_DUE_SOON,
    review_events.MILESTONE_OVERDUE,
    review_events.REVIEW_CLOSED,
)
CONTENT: tuple[EventDefinition[Any], ...] = (
    review_events.REPORT_PUBLISHED,
    review_events.ACTION_PLAN_AGREED,
    review_events.ACTION_UPDATED,
    review_events.SUPPORT_REQUESTED,
    review_events.SUPPORT_ANSWERED,
    review_events.PROGRESS_REVIEWED,
)
SUPPORT: tuple[EventDefinition[Any], ...] = (
    review_events.SUPPORT_REQUESTED,
    review_events.SUPPORT_ANSWERED,
)

LIFECYCLE_TYPES = frozenset(d.type for d in LIFECYCLE)
CONTENT_TYPES = frozenset(d.type for d in CONTENT)
SUPPORT_TYPES = frozenset(d.type for d in SUPPORT)
#: CloudEvents type -> what it means: the types a subscription may ask for.
EVENT_TYPES = {d.type: d.summary for d in (*LIFECYCLE, *CONTENT)}
SUBJECT_FILTERS = [d.subject_filter for d in (*LIFECYCLE, *CONTENT)]
