"""Queries on host feedback. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from reviews.feedback.models import HostFeedback


class FeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, review_id: uuid.UUID) -> HostFeedback | None:
        return await self.session.get(HostFeedback, review_id)

    def add(self, feedback: HostFeedback) -> None:
        self.session.add(feedback)
