"""Every table of the knowledge service, imported in one place for Alembic and create_all."""

from knowledge.db import Base, IdempotencyRecord, InboxMessage, OutboxMessage
from knowledge.directory.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
)
from knowledge.library.models import Source, SourceTheme
from knowledge.review.models import (
    FindingTheme,
    IngestedAction,
    IngestedFinding,
    IngestedReview,
    ReviewPeople,
)
from knowledge.rollup.models import EmergingTheme, InsightCell, ReviewCell, RollupGeneration
from knowledge.search.models import SearchDocument, include_object
from knowledge.theme.models import ExpertiseMapping, TaxonomyVersion, Theme

__all__ = [
    "Base",
    "DirectoryAgreement",
    "DirectoryMembership",
    "DirectoryPartnership",
    "DirectorySchool",
    "EmergingTheme",
    "ExpertiseMapping",
    "FindingTheme",
    "IdempotencyRecord",
    "InboxMessage",
    "IngestedAction",
    "IngestedFinding",
    "IngestedReview",
    "InsightCell",
    "OutboxMessage",
    "ReviewCell",
    "ReviewPeople",
    "RollupGeneration",
    "SearchDocument",
    "Source",
    "SourceTheme",
    "TaxonomyVersion",
    "Theme",
    "include_object",
]
