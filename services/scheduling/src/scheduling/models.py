"""Every table of the scheduling service, imported in one place for Alembic and create_all."""

from scheduling.calendar.models import LaCalendar, SchoolCalendar
from scheduling.cycle.models import Cycle, CycleRequest
from scheduling.db import Base, IdempotencyRecord, InboxMessage, OutboxMessage
from scheduling.feed.models import FeedToken
from scheduling.gias.models import ImportJob, ImportRejection
from scheduling.meeting.models import Meeting
from scheduling.partnership.models import Membership, Partnership, SharingAgreement
from scheduling.person.models import (
    DeclaredConflict,
    Person,
    PersonExpertise,
    PersonRole,
    TrainingRecord,
    Unavailability,
)
from scheduling.planned_review.models import PlannedReview, PlannedReviewPerson
from scheduling.schedule.models import CycleSchedule
from scheduling.schedule_job.models import ScheduleJob
from scheduling.school.models import School, SchoolLink
from scheduling.trust.models import Trust

__all__ = [
    "Base",
    "Cycle",
    "CycleRequest",
    "CycleSchedule",
    "DeclaredConflict",
    "FeedToken",
    "IdempotencyRecord",
    "ImportJob",
    "ImportRejection",
    "InboxMessage",
    "LaCalendar",
    "Meeting",
    "Membership",
    "OutboxMessage",
    "Partnership",
    "Person",
    "PersonExpertise",
    "PersonRole",
    "PlannedReview",
    "PlannedReviewPerson",
    "ScheduleJob",
    "School",
    "SchoolCalendar",
    "SchoolLink",
    "SharingAgreement",
    "TrainingRecord",
    "Trust",
    "Unavailability",
]
