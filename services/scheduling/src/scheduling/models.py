"""Every table of the scheduling service, imported in one place for Alembic and create_all."""

from scheduling.db import Base, IdempotencyRecord, InboxMessage, OutboxMessage
from scheduling.gias.models import ImportJob, ImportRejection
from scheduling.partnership.models import Membership, Partnership, SharingAgreement
from scheduling.school.models import School, SchoolLink
from scheduling.trust.models import Trust

__all__ = [
    "Base",
    "IdempotencyRecord",
    "ImportJob",
    "ImportRejection",
    "InboxMessage",
    "Membership",
    "OutboxMessage",
    "Partnership",
    "School",
    "SchoolLink",
    "SharingAgreement",
    "Trust",
]
