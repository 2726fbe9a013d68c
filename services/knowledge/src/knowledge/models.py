"""Every table of the knowledge service, imported in one place for Alembic and create_all."""

from knowledge.db import Base, IdempotencyRecord, InboxMessage, OutboxMessage
from knowledge.directory.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
)

__all__ = [
    "Base",
    "DirectoryAgreement",
    "DirectoryMembership",
    "DirectoryPartnership",
    "DirectorySchool",
    "IdempotencyRecord",
    "InboxMessage",
    "OutboxMessage",
]
