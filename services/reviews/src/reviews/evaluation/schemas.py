"""HTTP models of a partnership's evaluation pack."""

from __future__ import annotations

import uuid

from pydantic import Field

from common.http.schemas import StrictModel
from contracts.reviews import FindingKind


class ReviewCounts(StrictModel):
    planned: int = Field(description="The year's reviews, not cancelled")
    held: int = Field(description="Of those, the review day has come")
    reported: int = Field(description="Of those, the report is published")
    closed: int = Field(description="Of those, closed after the 90-day review")
    cancelled: int
    host_feedback: int = Field(description="Reported reviews whose school gave its feedback")


class LeadReviewerConsistency(StrictModel):
    """One lead reviewer's published reviews of the year."""

    person_id: uuid.UUID
    name: str | None = Field(description="As the schedule last named them")
    reviews: int = Field(description="Reported reviews they led")
    findings: int
    findings_per_review: float
    triangulated_share: float | None = Field(
        description="Findings resting on at least the policy's number of evidence kinds, "
        "as a share of their findings (null without findings)"
    )
    evidence_per_finding: float | None = Field(
        description="Evidence items per finding (null without findings)"
    )


class FeedbackAverages(StrictModel):
    """The host schools' ratings, 1-5, averaged over the feedback given (null with none)."""

    responses: int
    preparation: float | None
    challenge: float | None
    report_usefulness: float | None


class RecurringTheme(StrictModel):
    code: str
    label: str | None = Field(description="From the taxonomy, when it knows the code")
    kind: FindingKind
    reviews: int = Field(description="Reported reviews with a finding of this kind on it")
    findings: int


class EvaluationPack(StrictModel):
    """A partnership's year, for its June evaluation: published reviews only, counts and
    shapes (theme codes, evidence counts), never a finding's words."""

    partnership_id: uuid.UUID
    partnership_name: str | None
    academic_year: str
    reviews: ReviewCounts
    lead_reviewers: list[LeadReviewerConsistency]
    host_feedback: FeedbackAverages
    recurring_strengths: list[RecurringTheme] = Field(
        description="Themes of strengths found in at least two reported reviews, most first"
    )
    recurring_areas: list[RecurringTheme] = Field(
        description="Themes of areas for development found in at least two reported reviews"
    )
