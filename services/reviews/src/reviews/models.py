"""Every table of the reviews service, imported in one place for Alembic and create_all."""

from reviews.db import Base, IdempotencyRecord, InboxMessage, OutboxMessage
from reviews.directory.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
)
from reviews.review.models import Review, ReviewHistory, ReviewTeamMember

__all__ = [
    "Base",
    "DirectoryAgreement",
    "DirectoryMembership",
    "DirectoryPartnership",
    "DirectorySchool",
    "IdempotencyRecord",
    "InboxMessage",
    "OutboxMessage",
    "Review",
    "ReviewHistory",
    "ReviewTeamMember",
]
