"""Rollups count a school once per scope and year, even when it was reviewed twice that year (in
two partnerships of one LA), through republished reports and an agreement that stops sharing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from common.db import create_database
from common.testing.apps import migrate
from knowledge.config import KnowledgeSettings
from knowledge.intake.review import service as review_service
from knowledge.intake.review.visibility import directory as directory_model
from knowledge.intake.rollup.models import InsightCell
from tests.knowledge.kit import LA, YEAR, Review, agreement, finding, uid
from tests.support import alembic_ini

P, Q = uid(1, "0ee1"), uid(2, "0ee1")
URN = 100001
NOW = datetime.now(UTC)


async def test_a_school_reviewed_twice_in_a_year_counts_once(database_url: str) -> None:
    await migrate(alembic_ini("knowledge"), database_url)
    database = create_database(database_url)
    settings = KnowledgeSettings()
    first, second = Review(uid(10, "0ee1"), P, URN), Review(uid(11, "0ee1"), Q, URN)

    async def cell(scope_kind: str, scope_id: str) -> tuple[int, int] | None:
        async with database.session() as session:
            row = await session.scalar(
                select(InsightCell).where(
                    InsightCell.scope_kind == scope_kind,
                    InsightCell.scope_id == scope_id,
                    InsightCell.academic_year == YEAR,
                    InsightCell.family == "finding",
                    InsightCell.key == "maths",
                    InsightCell.kind == "strength",
                )
            )
            return None if row is None else (row.reviews, row.schools)

    try:
        async with database.session() as session:
            for partnership in (P, Q):
                await directory_model.apply_agreement(
                    session, agreement(partnership, "aggregated", 1, NOW)
                )
            for review in (first, second):
                report = review.report([finding("strength", "maths.number")])
                await review_service.apply_report(session, report, settings)
            await session.commit()
            assert await cell("la", LA) == (2, 1)
            assert await cell("partnership", str(P)) == (1, 1)
            # The first review no longer raises it: the school still does, through the second.
            v2 = first.report([finding("area_for_development", "send")], version=2)
            await review_service.apply_report(session, v2, settings)
            await session.commit()
            assert await cell("la", LA) == (1, 1)
            assert await cell("partnership", str(P)) is None
            # Q stops sharing with the LA: the school leaves the LA's count; sharing again,
            # it comes back once.
            await directory_model.apply_agreement(session, agreement(Q, "none", 2, NOW))
            await session.commit()
            assert await cell("la", LA) is None
            await directory_model.apply_agreement(session, agreement(Q, "aggregated", 3, NOW))
            await review_service.apply_report(
                session, first.report([finding("strength", "maths")], version=3), settings
            )
            await session.commit()
            assert await cell("la", LA) == (2, 1)
            assert await cell("all", "*") == (2, 1)
    finally:
        await database.dispose()
