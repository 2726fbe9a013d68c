"""Queries on interim progress updates. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reviews.interim.models import ActionUpdate
from reviews.workshop.models import PlannedAction


class ActionUpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def action(self, review_id: uuid.UUID, action_id: uuid.UUID) -> PlannedAction | None:
        found = await self.session.get(PlannedAction, action_id)
        return found if found is not None and found.review_id == review_id else None

    def add(self, update: ActionUpdate) -> None:
        self.session.add(update)

    async def of_action(self, action_id: uuid.UUID) -> Sequence[ActionUpdate]:
        rows = await self.session.scalars(
            select(ActionUpdate)
            .where(ActionUpdate.action_id == action_id)
            .order_by(ActionUpdate.noted_on, ActionUpdate.created_at, ActionUpdate.id)
        )
        return rows.all()
