"""The rows behind a partnership's evaluation pack: the year's reviews, their lead reviewers,
findings, the evidence kinds each finding rests on, host feedback and theme labels."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.reviews import EvidenceKind
from reviews.directory.models import DirectoryPartnership
from reviews.evidence.models import EvidenceItem
from reviews.feedback.models import HostFeedback
from reviews.finding.models import Finding, FindingEvidence
from reviews.review.models import Review, ReviewTeamMember, TeamRole
from reviews.taxonomy.models import TaxonomyTheme


async def partnership_name(session: AsyncSession, partnership_id: uuid.UUID) -> str | None:
    found = await session.get(DirectoryPartnership, partnership_id)
    return None if found is None else found.name


async def reviews(
    session: AsyncSession, partnership_id: uuid.UUID, academic_year: str
) -> Sequence[Review]:
    statement = select(Review).where(
        Review.partnership_id == partnership_id, Review.academic_year == academic_year
    )
    return (await session.scalars(statement)).all()


async def lead_reviewers(
    session: AsyncSession, review_ids: Iterable[uuid.UUID]
) -> Sequence[ReviewTeamMember]:
    statement = select(ReviewTeamMember).where(
        ReviewTeamMember.review_id.in_(list(review_ids)),
        ReviewTeamMember.role == TeamRole.LEAD_REVIEWER,
    )
    return (await session.scalars(statement)).all()


async def findings(session: AsyncSession, review_ids: Iterable[uuid.UUID]) -> Sequence[Finding]:
    statement = select(Finding).where(Finding.review_id.in_(list(review_ids)))
    return (await session.scalars(statement)).all()


async def evidence_kinds(
    session: AsyncSession, finding_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[EvidenceKind]]:
    """finding id -> the kind of each evidence item it rests on (one entry per item)."""
    statement = (
        select(FindingEvidence.finding_id, EvidenceItem.kind)
        .join(EvidenceItem, EvidenceItem.id == FindingEvidence.evidence_id)
        .where(FindingEvidence.finding_id.in_(list(finding_ids)))
    )
    found: dict[uuid.UUID, list[EvidenceKind]] = defaultdict(list)
    for finding_id, kind in (await session.execute(statement)).all():
        found[finding_id].append(kind)
    return found


async def host_feedback(
    session: AsyncSession, review_ids: Iterable[uuid.UUID]
) -> Sequence[HostFeedback]:
    statement = select(HostFeedback).where(HostFeedback.review_id.in_(list(review_ids)))
    return (await session.scalars(statement)).all()


async def theme_labels(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    statement = select(TaxonomyTheme.code, TaxonomyTheme.label).where(
        TaxonomyTheme.code.in_(list(codes))
    )
    return {row.code: row.label for row in (await session.execute(statement)).all()}
