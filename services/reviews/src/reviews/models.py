"""Every table of the reviews service, imported in one place for Alembic and create_all."""

from reviews.db import Base, IdempotencyRecord, InboxMessage, OutboxMessage
from reviews.directory.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
    DirectorySchoolAgreement,
)
from reviews.evidence.models import EvidenceItem
from reviews.feedback.models import HostFeedback
from reviews.finding.models import Finding, FindingEvidence
from reviews.focus.models import FocusChallenge, ReviewFocus
from reviews.integration.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from reviews.interim.models import ActionUpdate
from reviews.milestone.models import DueSoonMilestone, OverdueMilestone
from reviews.progress.models import ProgressReview
from reviews.report.models import ReportVersion
from reviews.review.models import Review, ReviewHistory, ReviewReminder, ReviewTeamMember
from reviews.self_evaluation.models import SelfEvaluation
from reviews.taxonomy.models import TaxonomyTheme, TaxonomyVersion
from reviews.workshop.models import ActionPlan, PlannedAction, Workshop

__all__ = [
    "ActionPlan",
    "ActionUpdate",
    "Base",
    "DirectoryAgreement",
    "DirectoryMembership",
    "DirectoryPartnership",
    "DirectorySchool",
    "DirectorySchoolAgreement",
    "DueSoonMilestone",
    "EvidenceItem",
    "Finding",
    "FindingEvidence",
    "FocusChallenge",
    "HostFeedback",
    "IdempotencyRecord",
    "InboxMessage",
    "OutboxMessage",
    "OverdueMilestone",
    "PlannedAction",
    "ProgressReview",
    "ReportVersion",
    "Review",
    "ReviewFocus",
    "ReviewHistory",
    "ReviewReminder",
    "ReviewTeamMember",
    "SelfEvaluation",
    "TaxonomyTheme",
    "TaxonomyVersion",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
    "Workshop",
]
