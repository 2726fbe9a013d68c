"""Every table of the scheduling service, imported in one place for Alembic and create_all."""

from scheduling.db import Base, IdempotencyRecord, InboxMessage, OutboxMessage
from scheduling.directory.area.models import Area
from scheduling.directory.calendar.models import LaCalendar, SchoolCalendar
from scheduling.directory.cycle.models import Cycle, CycleRequest
from scheduling.directory.gias.models import ImportJob, ImportRejection
from scheduling.directory.membership.models import Membership
from scheduling.directory.partnership.models import (
    AgreementConsent,
    AgreementVersion,
    Partnership,
    SchoolAgreement,
    SharingAgreement,
)
from scheduling.directory.person.models import (
    DeclaredConflict,
    Person,
    PersonExpertise,
    PersonRole,
    TrainingRecord,
    Unavailability,
)
from scheduling.directory.school.models import School, SchoolLink
from scheduling.directory.tombstone.models import Tombstone
from scheduling.directory.trust.models import Trust
from scheduling.planning.feeds.models import FeedToken
from scheduling.planning.jobs.models import ScheduleJob
from scheduling.planning.kernel.models import CycleSchedule, PlannedReview, PlannedReviewPerson
from scheduling.planning.meetings.models import Meeting

__all__ = [
    "AgreementConsent",
    "AgreementVersion",
    "Area",
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
    "SchoolAgreement",
    "SchoolCalendar",
    "SchoolLink",
    "SharingAgreement",
    "Tombstone",
    "TrainingRecord",
    "Trust",
    "Unavailability",
]
