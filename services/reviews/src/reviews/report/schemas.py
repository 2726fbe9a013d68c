"""HTTP models of the report: its versions, the head's acknowledgement, the publication."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from common.http.schemas import StrictModel
from contracts.reviews import EvidenceKind, FindingKind
from contracts.schedule import ReviewMode
from reviews.report.models import ReportVersion

Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ReportDraftIn(StrictModel):
    """A new version of the report, assembled from the findings as they are now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"summary": "A school where reading is loved; next, writing stamina."}]
        }
    )

    summary: Summary = Field(description="The lead reviewer's overview")


class AcknowledgementIn(StrictModel):
    """The head has checked this version of the report."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"comment": "Checked with the deputy head; accurate."}]}
    )

    comment: Note | None = None


class PublicationIn(StrictModel):
    """Publish an acknowledged version (the latest)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"version": 2},
                {"version": 3, "override_reason": "Parent voice could not be gathered this term"},
            ]
        }
    )

    version: int = Field(ge=1, le=10_000)
    override_reason: Note | None = Field(
        None,
        description="The lead reviewer's reason for publishing with untriangulated findings "
        "(required then, and recorded)",
    )


class ReportQuestion(StrictModel):
    id: uuid.UUID
    number: int
    text: str


class ReportFocus(StrictModel):
    text: str
    theme_codes: list[str]
    questions: list[ReportQuestion]


class ReportSchool(StrictModel):
    urn: int
    name: str | None = Field(description="From the directory, when known")


class ReportFinding(StrictModel):
    finding_id: uuid.UUID
    kind: FindingKind
    text: str
    theme_codes: list[str]
    question_id: uuid.UUID | None
    question_number: int | None
    evidence_count: int
    evidence_kinds: list[EvidenceKind]
    triangulated: bool


class ReportContent(StrictModel):
    school: ReportSchool
    la_code: str
    academic_year: str
    review_days: list[date]
    mode: ReviewMode
    lead_reviewer: uuid.UUID | None
    focus: ReportFocus | None
    findings: list[ReportFinding]
    evidence_items: int = Field(description="All evidence items recorded on the review")
    triangulation_min_kinds: int


class ReportStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ReportOut(StrictModel):
    review_id: uuid.UUID
    version: int
    status: ReportStatus
    summary: str
    content: ReportContent
    untriangulated: list[uuid.UUID] = Field(description="Findings resting on too few kinds")
    created_at: datetime
    created_by: uuid.UUID
    acknowledged_at: datetime | None
    acknowledged_by: uuid.UUID | None
    acknowledgement_comment: str | None
    published_at: datetime | None
    published_by: uuid.UUID | None
    override_reason: str | None

    @classmethod
    def of(cls, version: ReportVersion) -> ReportOut:
        content = ReportContent.model_validate(version.content)
        return cls(
            review_id=version.review_id,
            version=version.number,
            status=ReportStatus.PUBLISHED if version.published else ReportStatus.DRAFT,
            summary=version.summary,
            content=content,
            untriangulated=[f.finding_id for f in content.findings if not f.triangulated],
            created_at=version.created_at,
            created_by=version.created_by,
            acknowledged_at=version.acknowledged_at,
            acknowledged_by=version.acknowledged_by,
            acknowledgement_comment=version.acknowledgement_comment,
            published_at=version.published_at,
            published_by=version.published_by,
            override_reason=version.override_reason,
        )
