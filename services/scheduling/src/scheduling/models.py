"""Every table of the scheduling service, imported in one place for Alembic and create_all."""

from scheduling.calendar.models import LaCalendar, SchoolCalendar
from scheduling.cycle.models import Cycle, CycleRequest
from scheduling.db import Base, IdempotencyRecord, InboxMessage, OutboxMessage
from scheduling.gias.models import ImportJob, ImportRejection
from scheduling.partnership.models import Membership, Partnership, SharingAgreement
from scheduling.person.models import (
    DeclaredConflict,
    Person,
    PersonExpertise,
    PersonRole,
    TrainingRecord,
    Unavailability,
)
from scheduling.school.models import School, SchoolLink
from scheduling.trust.models import Trust

__all__ = [
    "Base",
    "Cycle",
    "CycleRequest",
    "DeclaredConflict",
    "IdempotencyRecord",
    "ImportJob",
    "ImportRejection",
    "InboxMessage",
    "LaCalendar",
    "Membership",
    "OutboxMessage",
    "Partnership",
    "Person",
    "PersonExpertise",
    "PersonRole",
    "School",
    "SchoolCalendar",
    "SchoolLink",
    "SharingAgreement",
    "TrainingRecord",
    "Trust",
    "Unavailability",
]
