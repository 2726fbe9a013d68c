"""Every table of the knowledge service, imported in one place for Alembic and create_all."""

from knowledge.db import Base, IdempotencyRecord, InboxMessage, OutboxMessage
from knowledge.directory.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
)
from knowledge.library.models import Source, SourceTheme
from knowledge.theme.models import ExpertiseMapping, TaxonomyVersion, Theme

__all__ = [
    "Base",
    "DirectoryAgreement",
    "DirectoryMembership",
    "DirectoryPartnership",
    "DirectorySchool",
    "ExpertiseMapping",
    "IdempotencyRecord",
    "InboxMessage",
    "OutboxMessage",
    "Source",
    "SourceTheme",
    "TaxonomyVersion",
    "Theme",
]
