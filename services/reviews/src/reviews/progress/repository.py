"""Queries on progress reviews. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from reviews.progress.models import ProgressReview


class ProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, review_id: uuid.UUID) -> ProgressReview | None:
        return await self.session.get(ProgressReview, review_id)

    def add(self, progress: ProgressReview) -> None:
        self.session.add(progress)
