"""Queries for support brokering: a school's areas for development, and the triangulated
strengths that match them (the same theme or a more specific one). Never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.reviews import FindingKind
from knowledge.intake.review.models import FindingTheme, IngestedFinding, IngestedReview

AREA = FindingKind.AREA_FOR_DEVELOPMENT.value
STRENGTH = FindingKind.STRENGTH.value


@dataclass(frozen=True)
class StrengthRow:
    urn: int
    partnership_id: uuid.UUID
    academic_year: str
    theme_code: str
    evidence_count: int


async def latest_year(session: AsyncSession, which: ColumnElement[bool]) -> str | None:
    year = await session.scalar(
        select(IngestedReview.academic_year)
        .where(which, IngestedReview.report_version > 0)
        .order_by(IngestedReview.academic_year.desc())
        .limit(1)
    )
    return str(year) if year is not None else None


async def areas_for_development(
    session: AsyncSession, which: ColumnElement[bool], year: str
) -> dict[int, set[str]]:
    """Per school, the theme codes of its areas for development that year (as coded)."""
    rows = await session.execute(
        select(IngestedReview.urn, FindingTheme.theme_code)
        .join(IngestedReview, IngestedReview.review_id == FindingTheme.review_id)
        .where(which, IngestedReview.academic_year == year, FindingTheme.kind == AREA)
    )
    found: dict[int, set[str]] = defaultdict(set)
    for urn, code in rows:
        found[urn].add(code)
    return dict(found)


async def matching_strengths(
    session: AsyncSession, codes: Collection[str], years: Collection[str]
) -> list[StrengthRow]:
    """Triangulated strengths coded with one of ``codes`` or a sub-theme of one, in ``years``."""
    if not codes or not years:
        return []
    matches = [FindingTheme.theme_code.in_(sorted(codes))] + [
        FindingTheme.theme_code.startswith(code + ".", autoescape=True) for code in sorted(codes)
    ]
    rows = await session.execute(
        select(
            IngestedReview.urn,
            IngestedReview.partnership_id,
            IngestedReview.academic_year,
            FindingTheme.theme_code,
            IngestedFinding.evidence_count,
        )
        .join(IngestedFinding, IngestedFinding.finding_id == FindingTheme.finding_id)
        .join(IngestedReview, IngestedReview.review_id == FindingTheme.review_id)
        .where(
            FindingTheme.kind == STRENGTH,
            IngestedFinding.triangulated.is_(True),
            IngestedReview.academic_year.in_(sorted(years)),
            or_(*matches),
        )
    )
    return [StrengthRow(*row) for row in rows]
