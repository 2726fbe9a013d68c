"""Queries on report versions. Never commits; versions are only ever added (and marked
acknowledged or published)."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reviews.report.models import ReportVersion


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, review_id: uuid.UUID, number: int) -> ReportVersion | None:
        return await self.session.get(ReportVersion, (review_id, number))

    async def latest_number(self, review_id: uuid.UUID) -> int:
        latest = await self.session.scalar(
            select(func.max(ReportVersion.number)).where(ReportVersion.review_id == review_id)
        )
        return latest or 0

    async def published(self, review_id: uuid.UUID) -> ReportVersion | None:
        return await self.session.scalar(
            select(ReportVersion).where(
                ReportVersion.review_id == review_id, ReportVersion.published_at.is_not(None)
            )
        )

    def add(self, version: ReportVersion) -> None:
        self.session.add(version)

    def of(self, review_id: uuid.UUID) -> Select[ReportVersion]:
        return select(ReportVersion).where(ReportVersion.review_id == review_id)
