"""Every table of the knowledge service, imported in one place for Alembic and create_all."""

from knowledge.answers.library.models import Source, SourceTheme
from knowledge.db import Base, IdempotencyRecord, InboxMessage, OutboxMessage
from knowledge.intake.directory.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
    DirectorySchoolAgreement,
)
from knowledge.intake.review.models import (
    FindingTheme,
    IngestedAction,
    IngestedFinding,
    IngestedReview,
    ReviewPeople,
)
from knowledge.intake.rollup.models import EmergingTheme, InsightCell, ReviewCell, RollupGeneration
from knowledge.intake.search.models import SearchDocument, include_object
from knowledge.intake.theme.models import ExpertiseMapping, TaxonomyVersion, Theme

__all__ = [
    "Base",
    "DirectoryAgreement",
    "DirectoryMembership",
    "DirectoryPartnership",
    "DirectorySchool",
    "DirectorySchoolAgreement",
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
