"""Queries on workshops and action plans. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reviews.finding.models import Finding
from reviews.workshop.models import ActionPlan, Workshop


class WorkshopRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def workshop(self, review_id: uuid.UUID) -> Workshop | None:
        return await self.session.get(Workshop, review_id)

    async def plan(self, review_id: uuid.UUID) -> ActionPlan | None:
        return await self.session.get(ActionPlan, review_id)

    def add(self, entity: Workshop | ActionPlan) -> None:
        self.session.add(entity)

    async def findings(
        self, review_id: uuid.UUID, ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, Finding]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = await self.session.scalars(
            select(Finding).where(Finding.review_id == review_id, Finding.id.in_(wanted))
        )
        return {row.id: row for row in rows}
