"""Emerging themes: an area for development raised in more than a set share of a partnership's
reviews this year emits ``knowledge.theme.emerging`` once per (partnership, year, theme).

Checked after a report changed the rollups, for the themes the report newly raised (only they
can have crossed the line: another review without the theme lowers the share). A theme emerges
only once at least max(``emerging_theme_min_reviews``, the members' suppression threshold)
reviews raised it, so the event never speaks of fewer schools than the agreement allows, and
only for partnerships whose members see their aggregates at all.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import utcnow
from common.messaging import publish
from contracts.events import TenancyPath
from contracts.knowledge import THEME_EMERGING, EmergingThemePayload
from contracts.reviews import FindingKind
from knowledge.cells import FINDING, PARTNERSHIP, WHOLE
from knowledge.config import KnowledgeSettings
from knowledge.intake.directory.repository import DirectoryRepository, names, shares
from knowledge.intake.review.models import IngestedReview
from knowledge.intake.review.rollups import Change
from knowledge.intake.rollup.models import EmergingTheme
from knowledge.intake.rollup.repository import RollupRepository

AREA = FindingKind.AREA_FOR_DEVELOPMENT.value


async def check(
    session: AsyncSession,
    review: IngestedReview,
    change: Change,
    settings: KnowledgeSettings,
) -> None:
    """Judged by the terms in force for every member of the review's partnership."""
    raised = {key for family, key, kind in change.added if family == FINDING and kind == AREA}
    if not raised:
        return
    agreement = await DirectoryRepository(session).agreement(review.partnership_id)
    if agreement is None or not shares(agreement.partnership_visibility):
        return
    year, partnership = review.academic_year, review.partnership_id
    keys = [(FINDING, key, AREA) for key in sorted(raised)] + [(FINDING, WHOLE, WHOLE)]
    counts = await RollupRepository(session).counts(PARTNERSHIP, str(partnership), year, keys)
    in_year = counts.get((FINDING, WHOLE, WHOLE), (0, 0))[0]
    minimum = max(settings.emerging_theme_min_reviews, agreement.suppression_threshold)

    def crossed(key: str) -> bool:
        raising = counts.get((FINDING, key, AREA), (0, 0))[0]
        return raising >= minimum and raising / max(1, in_year) > settings.emerging_theme_share

    candidates = [key for key in sorted(raised) if crossed(key)]
    if not candidates:
        return
    done = set(
        await session.scalars(
            select(EmergingTheme.theme_code).where(
                EmergingTheme.partnership_id == partnership,
                EmergingTheme.academic_year == year,
                EmergingTheme.theme_code.in_(candidates),
            )
        )
    )
    named = names(agreement.partnership_visibility)
    for key in candidates:
        if key in done:
            continue
        raising = counts[(FINDING, key, AREA)][0]
        detected_at = utcnow()
        session.add(
            EmergingTheme(
                partnership_id=partnership,
                academic_year=year,
                theme_code=key,
                reviews_raising=raising,
                reviews_in_year=in_year,
                detected_at=detected_at,
            )
        )
        payload = EmergingThemePayload(
            partnership_id=partnership,
            la_code=review.la_code,
            academic_year=year,
            theme_code=key,
            share_threshold=settings.emerging_theme_share,
            reviews_raising=raising if named else None,
            reviews_in_year=in_year if named else None,
            detected_at=detected_at,
        )
        publish(
            session,
            THEME_EMERGING,
            payload,
            # Addressed to the partnership: no LA token, so councils' subscriptions miss it.
            tenancy=TenancyPath(partnership=str(partnership)),
            subject=f"partnerships/{partnership}/themes/{key}/{year}",
            partition_key=f"partnership:{partnership}",
        )
