"""The ``reviews.report.published`` payload of a published version: the findings' theme codes,
kinds and evidence counts always; their words only when the agreement lets them leave the
school."""

from __future__ import annotations

from contracts.reviews import PublishedFinding, ReportPublishedPayload
from reviews.report.models import ReportVersion
from reviews.report.schemas import ReportContent
from reviews.review.models import Review


def report_published(
    review: Review, version: ReportVersion, *, text_shared: bool
) -> ReportPublishedPayload:
    content = ReportContent.model_validate(version.content)
    assert version.published_at is not None
    return ReportPublishedPayload(
        review_id=review.id,
        cycle_id=review.cycle_id,
        partnership_id=review.partnership_id,
        la_code=review.la_code,
        urn=review.urn,
        academic_year=review.academic_year,
        report_version=version.number,
        review_days=content.review_days,
        published_at=version.published_at,
        focus_theme_codes=[] if content.focus is None else content.focus.theme_codes,
        findings=[
            PublishedFinding(
                finding_id=f.finding_id,
                kind=f.kind,
                theme_codes=f.theme_codes,
                evidence_count=f.evidence_count,
                evidence_kinds=f.evidence_kinds,
                triangulated=f.triangulated,
                question_id=f.question_id,
                text=f.text if text_shared else None,
            )
            for f in content.findings
        ],
        evidence_items=content.evidence_items,
        triangulation_min_kinds=content.triangulation_min_kinds,
        untriangulated_override=version.override_reason is not None,
        text_shared=text_shared,
    )
