"""The council's dashboard answers from cached decisions, figures and trend years, yet never
from older rollups than a fresh computation would read: after every ingest (a new review this
year, a past year's report republished, an agreement that stops sharing), each answer equals
the one computed with every cache emptied, and shows the new counts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from common.auth import Principal
from common.db import Database, create_database
from common.testing.apps import migrate
from contracts import directory
from knowledge.answers.disclosure import cache
from knowledge.answers.insight import service as insight_service
from knowledge.answers.measure import service as measure_service
from knowledge.config import KnowledgeSettings
from knowledge.intake.review import service as review_service
from knowledge.intake.review.visibility import directory as directory_model
from tests.knowledge.kit import LA, Review, agreement, finding, uid
from tests.support import alembic_ini

PAST, CURRENT = "2025-26", "2026-27"
P, Q = uid(1, "0ca1"), uid(2, "0ca1")
COUNCIL = Principal("council", frozenset({"knowledge:read"}), la=(LA,))
NOW = datetime.now(UTC)
SETTINGS = KnowledgeSettings()


def _review(n: int, partnership: Any, urn: int, year: str) -> Review:
    day = date(int(year[:4]) + 1, 3, 10)
    return Review(uid(n, "0ca2"), partnership, urn, year=year, day=day)


async def _answers(database: Database) -> list[Any]:
    async with database.read_sessions() as session:
        trends = await insight_service.trends(
            session, COUNCIL, scope="la", scope_id=LA, theme=None, kind=None,
            first=PAST, last=CURRENT,
        )  # fmt: skip
    async with database.read_sessions() as session:
        themes = await insight_service.themes(
            session, COUNCIL, scope="la", scope_id=LA, year=CURRENT, theme=None, kind=None
        )
    async with database.read_sessions() as session:
        process = await measure_service.process_measures(
            session, COUNCIL, scope="la", scope_id=LA, year=CURRENT
        )
    return [trends.model_dump(), themes.model_dump(), process.model_dump()]


async def _checked(database: Database) -> dict[tuple[str, str], int | None]:
    """The answers (twice: the second from the caches), equal to the answers computed afresh;
    the LA's maths strengths per year."""
    cached = await _answers(database)
    assert await _answers(database) == cached
    cache._caches.clear()
    assert await _answers(database) == cached
    trends = cached[0]
    return {
        (year["academic_year"], "maths"): next(
            (
                t["schools"]
                for t in year["themes"]
                if (t["code"], t["kind"]) == ("maths", "strength")
            ),
            None,
        )
        for year in trends["years"]
    } | {
        (year["academic_year"], "*"): year["reviewed_schools"]["value"] for year in trends["years"]
    }


async def test_cached_answers_follow_every_ingest(database_url: str) -> None:
    await migrate(alembic_ini("knowledge"), database_url)
    database = create_database(database_url)
    try:
        async with database.session() as session:
            for index, partnership in enumerate((P, Q)):
                payload = directory.PartnershipPayload(
                    id=partnership, name=f"P{index}", kind="la_cluster", la_code=LA,
                    version=1, updated_at=NOW,
                )  # fmt: skip
                await directory_model.apply_partnership(session, payload)
                await directory_model.apply_agreement(
                    session, agreement(partnership, "aggregated", 1, NOW)
                )
            # Seven schools in each partnership, reviewed both years.
            n = 0
            for year in (PAST, CURRENT):
                for urn in range(100001, 100015):
                    n += 1
                    partnership = P if urn < 100008 else Q
                    report = _review(n, partnership, urn, year).report(
                        [finding("strength", "maths")]
                    )
                    await review_service.apply_report(session, report, SETTINGS)
            await session.commit()
        assert await _checked(database) == {
            (PAST, "maths"): 14, (PAST, "*"): 14, (CURRENT, "maths"): 14, (CURRENT, "*"): 14,
        }  # fmt: skip

        # This year's ingest: a new school's report.
        async with database.session() as session:
            report = _review(100, P, 100020, CURRENT).report([finding("strength", "maths")])
            await review_service.apply_report(session, report, SETTINGS)
            await session.commit()
        assert (await _checked(database))[(CURRENT, "maths")] == 15

        # A past year's report republished: that year's figures change too.
        async with database.session() as session:
            report = _review(1, P, 100001, PAST).report(
                [finding("area_for_development", "send")], version=2
            )
            await review_service.apply_report(session, report, SETTINGS)
            await session.commit()
        figures = await _checked(database)
        # 13 of the 14 reviewed schools: the difference would single one out, so hidden now.
        assert (figures[(PAST, "maths")], figures[(PAST, "*")]) == (None, 14)

        # Q stops sharing with the LA: its schools leave every year's LA figures.
        async with database.session() as session:
            await directory_model.apply_agreement(session, agreement(Q, "none", 2, NOW))
            await session.commit()
        assert await _checked(database) == {
            (PAST, "maths"): None, (PAST, "*"): 7, (CURRENT, "maths"): 8, (CURRENT, "*"): 8,
        }  # fmt: skip
    finally:
        await database.dispose()
