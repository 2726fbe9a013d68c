"""Every table of the scheduling service, imported in one place for Alembic and create_all."""

from scheduling.db import Base, IdempotencyRecord, InboxMessage, OutboxMessage
from scheduling.partnership.models import Membership, Partnership, SharingAgreement
from scheduling.school.models import School

__all__ = [
    "Base",
    "IdempotencyRecord",
    "InboxMessage",
    "Membership",
    "OutboxMessage",
    "Partnership",
    "School",
    "SharingAgreement",
]
