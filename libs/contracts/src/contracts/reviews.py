"""Events of the reviews service: a review moved through its lifecycle, a review closed.

Later (with the rest of the reviews issue): report published, action plan agreed, progress
reviewed, milestone overdue.

Payloads say where a review is, never what it found: the subject's tenancy path lets a council
subscribe to ``*.*.*.*.881.>``, so reasons, findings and reports stay behind the API, where the
data-sharing agreement is applied.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import Field

from contracts.directory import LaCode, Payload, Urn
from contracts.events import EventDefinition
from contracts.schedule import AcademicYear


class ReviewState(StrEnum):
    """Where a review is in its cycle (see the reviews service for who may move it)."""

    PLANNED = "planned"
    SELF_REVIEW = "self_review"
    PRE_REVIEW = "pre_review"
    REVIEW_DAY = "review_day"
    FEEDBACK = "feedback"
    REPORT_DRAFTED = "report_drafted"
    REPORT_PUBLISHED = "report_published"
    WORKSHOP = "workshop"
    ACTION_PLAN_AGREED = "action_plan_agreed"
    PROGRESS_REVIEW = "progress_review"
    CLOSED = "closed"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class EvidenceKind(StrEnum):
    """The fixed kinds of evidence gathered on a review day (triangulation counts kinds)."""

    LESSON_VISIT = "lesson_visit"
    LEARNING_WALK = "learning_walk"
    PUPIL_VOICE = "pupil_voice"
    STAFF_VOICE = "staff_voice"
    SUPPORT_STAFF_VOICE = "support_staff_voice"
    PARENT_VOICE = "parent_voice"
    WORK_SCRUTINY = "work_scrutiny"
    DATA_ANALYSIS = "data_analysis"
    DOCUMENT_REVIEW = "document_review"
    ENVIRONMENT = "environment"


class ReviewTransitionedPayload(Payload):
    review_id: UUID
    cycle_id: UUID
    partnership_id: UUID
    la_code: LaCode
    urn: Urn
    academic_year: AcademicYear
    from_state: ReviewState
    to_state: ReviewState
    by_person_id: UUID | None = Field(description="Who moved it, when a person did")
    version: int = Field(description="The review's version after this change; newer wins")
    occurred_at: datetime


class ReviewClosedPayload(Payload):
    review_id: UUID
    cycle_id: UUID
    partnership_id: UUID
    la_code: LaCode
    urn: Urn
    academic_year: AcademicYear
    version: int
    closed_at: datetime


REVIEW_TRANSITIONED: EventDefinition[ReviewTransitionedPayload] = EventDefinition(
    "reviews",
    "review",
    "transitioned",
    1,
    ReviewTransitionedPayload,
    "A review moved to another state of its lifecycle (including postponed and cancelled).",
)
REVIEW_CLOSED: EventDefinition[ReviewClosedPayload] = EventDefinition(
    "reviews",
    "review",
    "closed",
    1,
    ReviewClosedPayload,
    "A review's cycle closed after its 90-day progress review.",
)

EVENTS: tuple[EventDefinition[Any], ...] = (REVIEW_TRANSITIONED, REVIEW_CLOSED)
