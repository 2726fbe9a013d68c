"""Queries on self-evaluations. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from reviews.self_evaluation.models import SelfEvaluation


class SelfEvaluationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, review_id: uuid.UUID) -> SelfEvaluation | None:
        return await self.session.get(SelfEvaluation, review_id)

    def add(self, evaluation: SelfEvaluation) -> None:
        self.session.add(evaluation)
