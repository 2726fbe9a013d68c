"""A partnership's evaluation pack for its year (the June evaluation): for its partnership lead
only; anyone else is answered 404, as if there were no such partnership.

Only reported reviews (the report published) count towards consistency, feedback and themes,
and the pack holds counts and theme codes, never a finding's or a comment's words: the shape
the partnership already receives in ``reviews.report.published`` whatever its agreement."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.csvsafe import write_csv
from common.http.problems import not_found
from contracts.reviews import FindingKind
from reviews.evaluation import pack, repository
from reviews.evaluation.schemas import EvaluationPack
from reviews.review import tenancy


async def evaluation_pack(
    session: AsyncSession, principal: Principal, partnership_id: uuid.UUID, academic_year: str
) -> EvaluationPack:
    if partnership_id not in tenancy.partnership_ids(principal):
        raise not_found(f"No partnership {partnership_id}.")
    year = await repository.reviews(session, partnership_id, academic_year)
    reported = {r.id: r for r in year if r.state in pack.REPORTED}
    findings = await repository.findings(session, reported)
    kinds = await repository.evidence_kinds(session, [f.id for f in findings])
    feedback = await repository.host_feedback(session, reported)
    labels = await repository.theme_labels(session, {c for f in findings for c in f.theme_codes})
    return EvaluationPack(
        partnership_id=partnership_id,
        partnership_name=await repository.partnership_name(session, partnership_id),
        academic_year=academic_year,
        reviews=pack.counts(year, feedback),
        lead_reviewers=pack.consistency(
            reported, await repository.lead_reviewers(session, reported), findings, kinds
        ),
        host_feedback=pack.feedback_averages(feedback),
        recurring_strengths=pack.recurring(findings, FindingKind.STRENGTH, labels),
        recurring_areas=pack.recurring(findings, FindingKind.AREA_FOR_DEVELOPMENT, labels),
    )


LEAD_REVIEWER_COLUMNS = (
    "person_id",
    "name",
    "reviews",
    "findings",
    "findings_per_review",
    "triangulated_share",
    "evidence_per_finding",
)


def lead_reviewers_csv(evaluation: EvaluationPack) -> str:
    """The per-lead-reviewer table as CSV (an empty cell where a share has no findings)."""
    return write_csv(
        LEAD_REVIEWER_COLUMNS,
        (
            [str(row.person_id), *(getattr(row, c) for c in LEAD_REVIEWER_COLUMNS[1:])]
            for row in evaluation.lead_reviewers
        ),
    )
