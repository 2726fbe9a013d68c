"""Events of the reviews service: the lifecycle, the report, the action plan, the 90-day
review, milestones due soon and overdue, and the close.

Disclosure: lifecycle payloads say where a review is, never what it found. The report, action
plan and progress payloads carry the *shape* of what was found (theme codes, kinds, evidence
counts, ratings), which the knowledge service aggregates; free text (a finding's or an action's
words) is included only when the partnership's data-sharing agreement lets it leave the school
(``partnership_visibility`` is ``named``), and is ``null`` otherwise. Text never goes further
than the partnership: a council's or a trust's NATS user is given the lifecycle subjects only
(see the README's NATS section), and the knowledge service shows them aggregates only.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field

from contracts.directory import LaCode, Payload, Urn
from contracts.events import EventDefinition
from contracts.knowledge import ThemeCode
from contracts.schedule import AcademicYear

PayloadT = TypeVar("PayloadT", bound=BaseModel)


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


class FindingKind(StrEnum):
    STRENGTH = "strength"
    AREA_FOR_DEVELOPMENT = "area_for_development"


class ActionKind(StrEnum):
    """What sort of action an action plan's action is (so outcomes can be compared by kind)."""

    CURRICULUM = "curriculum"
    TEACHING_PRACTICE = "teaching_practice"
    STAFF_TRAINING = "staff_training"
    COACHING_MENTORING = "coaching_mentoring"
    ASSESSMENT_MONITORING = "assessment_monitoring"
    INTERVENTION = "intervention"
    POLICY_PROCESS = "policy_process"
    PARENT_COMMUNITY = "parent_community"
    ENVIRONMENT_RESOURCES = "environment_resources"
    LEADERSHIP = "leadership"
    SCHOOL_TO_SCHOOL_SUPPORT = "school_to_school_support"
    #: De-implementation: stop doing something that does not earn its time (adapt, adopt or
    #: abandon), so an action plan can make room as well as add.
    STOP = "stop"
    OTHER = "other"


class ActionRating(StrEnum):
    """An action's rating at the 90-day progress review."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    DONE = "done"


class CriteriaStatus(StrEnum):
    """How far an action's success criteria are met at an interim progress update."""

    MET = "met"
    PARTLY = "partly"
    NOT_YET = "not_yet"


class SupportStatus(StrEnum):
    """Where a partner school's support for an action stands: asked when the plan is agreed,
    then accepted or declined by that school."""

    ASKED = "asked"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ReviewRef(Payload):
    """Which review an event is about, and where it sits (the subject's tenancy path)."""

    review_id: UUID
    cycle_id: UUID
    partnership_id: UUID
    la_code: LaCode
    urn: Urn
    academic_year: AcademicYear


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


class PublishedFinding(Payload):
    finding_id: UUID
    kind: FindingKind
    theme_codes: list[ThemeCode] = Field(min_length=1)
    evidence_count: int = Field(ge=0, description="Evidence items the finding rests on")
    evidence_kinds: list[EvidenceKind] = Field(description="The distinct kinds among them")
    triangulated: bool = Field(description="Rests on at least the policy's number of kinds")
    question_id: UUID | None = Field(description="The enquiry question it answers")
    text: str | None = Field(
        description="The finding's words; null unless the agreement lets text leave the school"
    )


class ReportPublishedPayload(ReviewRef):
    report_version: int = Field(ge=1, description="Which version of the report was published")
    review_days: list[date] = Field(min_length=1, max_length=2)
    published_at: datetime
    focus_theme_codes: list[ThemeCode]
    findings: list[PublishedFinding]
    evidence_items: int = Field(ge=0, description="All evidence items recorded on the review")
    triangulation_min_kinds: int = Field(ge=1)
    untriangulated_override: bool = Field(
        description="The lead reviewer published with untriangulated findings (a reason is kept)"
    )
    text_shared: bool = Field(description="Whether the text fields are filled")


class AgreedAction(Payload):
    action_id: UUID
    kind: ActionKind
    theme_codes: list[ThemeCode] = Field(description="From the findings it addresses")
    finding_ids: list[UUID]
    owner_role: str = Field(max_length=80, examples=["English lead"])
    due_date: date
    research_source_ids: list[UUID] = Field(description="Knowledge library sources it draws on")
    support_urn: Urn | None = Field(description="A partner school offering support")
    text: str | None = Field(
        description="What will be done; null unless the agreement lets text leave the school"
    )


class ActionPlanAgreedPayload(ReviewRef):
    workshop_date: date
    agreed_at: datetime
    actions: list[AgreedAction] = Field(min_length=1)
    text_shared: bool


class RatedAction(Payload):
    action_id: UUID
    kind: ActionKind
    theme_codes: list[ThemeCode]
    rating: ActionRating


class ProgressReviewedPayload(ReviewRef):
    reviewed_on: date
    due_date: date = Field(description="The 90-day review's due date from the schedule")
    on_time: bool
    ratings: list[RatedAction] = Field(min_length=1)


class HostFeedbackGivenPayload(ReviewRef):
    """The host school's ratings of its review, 1 (poor) to 5 (excellent); its comment stays
    in the reviews service."""

    preparation: int = Field(ge=1, le=5, description="How well the team prepared")
    challenge: int = Field(ge=1, le=5, description="How well the review challenged the school")
    report_usefulness: int = Field(ge=1, le=5, description="How useful the report is")
    given_at: datetime


class ActionUpdatedPayload(ReviewRef):
    """An interim progress update on one action of the agreed plan, between the agreement and
    the 90-day review."""

    update_id: UUID
    action_id: UUID
    kind: ActionKind
    noted_on: date = Field(description="The day the progress was noted")
    criteria: CriteriaStatus = Field(description="The action's success criteria: met or not")
    note: str | None = Field(
        description="What was seen; null unless the agreement lets text leave the school"
    )
    text_shared: bool


class SupportRequestedPayload(ReviewRef):
    """A partner school (``support_urn``) is named to support one action of an agreed plan;
    it reaches that school as well as the review's readers."""

    action_id: UUID
    kind: ActionKind
    support_urn: Urn = Field(description="The school asked to support")
    due_date: date
    theme_codes: list[ThemeCode] = Field(description="From the findings it addresses")
    text: str | None = Field(
        description="What will be done; null unless the agreement lets text leave the school"
    )
    text_shared: bool


class SupportAnsweredPayload(ReviewRef):
    """The partner school accepted or declined to support an action."""

    action_id: UUID
    support_urn: Urn
    status: SupportStatus
    answered_at: datetime


class MilestoneOverduePayload(ReviewRef):
    milestone: str = Field(examples=["report_due"], description="The schedule's milestone name")
    due_date: date
    expected_state: ReviewState = Field(description="The stage the review should have reached")
    state: ReviewState = Field(description="Where the review is")
    detected_at: datetime


class MilestoneDueSoonPayload(ReviewRef):
    milestone: str = Field(examples=["report_due"], description="The schedule's milestone name")
    due_date: date
    lead_school_days: int = Field(
        ge=1, description="The policy's lead time this reminder is for, in school days"
    )
    remind_on: date = Field(description="The school day the reminder was due")
    expected_state: ReviewState = Field(description="The stage the review should reach by then")
    state: ReviewState = Field(description="Where the review is")
    detected_at: datetime


def _reviews(
    aggregate: str, action: str, payload: type[PayloadT], summary: str
) -> EventDefinition[PayloadT]:
    return EventDefinition("reviews", aggregate, action, 1, payload, summary)


REPORT_PUBLISHED: EventDefinition[ReportPublishedPayload] = _reviews(
    "report",
    "published",
    ReportPublishedPayload,
    "A review's report was published: its findings' themes, kinds and evidence counts.",
)
ACTION_PLAN_AGREED: EventDefinition[ActionPlanAgreedPayload] = _reviews(
    "action_plan", "agreed", ActionPlanAgreedPayload, "The improvement workshop's plan was agreed."
)
PROGRESS_REVIEWED: EventDefinition[ProgressReviewedPayload] = _reviews(
    "progress",
    "reviewed",
    ProgressReviewedPayload,
    "The 90-day progress review rated each action of the plan.",
)
HOST_FEEDBACK_GIVEN: EventDefinition[HostFeedbackGivenPayload] = _reviews(
    "host_feedback",
    "given",
    HostFeedbackGivenPayload,
    "The host school rated its review once the report was published (ratings only).",
)
ACTION_UPDATED: EventDefinition[ActionUpdatedPayload] = _reviews(
    "action",
    "updated",
    ActionUpdatedPayload,
    "An interim progress update on one action of an agreed plan (success criteria met, "
    "partly or not yet).",
)
SUPPORT_REQUESTED: EventDefinition[SupportRequestedPayload] = _reviews(
    "support",
    "requested",
    SupportRequestedPayload,
    "A partner school was named to support an action of an agreed plan (sent to it too).",
)
SUPPORT_ANSWERED: EventDefinition[SupportAnsweredPayload] = _reviews(
    "support",
    "answered",
    SupportAnsweredPayload,
    "The partner school named to support an action accepted or declined.",
)
MILESTONE_OVERDUE: EventDefinition[MilestoneOverduePayload] = _reviews(
    "milestone",
    "overdue",
    MilestoneOverduePayload,
    "A milestone's due date passed before the review reached its stage (sent once).",
)

MILESTONE_DUE_SOON: EventDefinition[MilestoneDueSoonPayload] = _reviews(
    "milestone",
    "due_soon",
    MilestoneDueSoonPayload,
    "A milestone is near (the policy's lead time in school days) and the review has not "
    "reached its stage (sent once per milestone, due date and lead time).",
)

EVENTS: tuple[EventDefinition[Any], ...] = (
    REVIEW_TRANSITIONED,
    REVIEW_CLOSED,
    REPORT_PUBLISHED,
    ACTION_PLAN_AGREED,
    ACTION_UPDATED,
    SUPPORT_REQUESTED,
    SUPPORT_ANSWERED,
    PROGRESS_REVIEWED,
    HOST_FEEDBACK_GIVEN,
    MILESTONE_OVERDUE,
    MILESTONE_DUE_SOON,
)
