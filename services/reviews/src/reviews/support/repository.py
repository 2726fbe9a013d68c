"""Queries on the actions a school is asked to support. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reviews.review.models import Review
from reviews.workshop.models import PlannedAction


class SupportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def asked_of(self, urns: Collection[int]) -> Sequence[tuple[PlannedAction, Review]]:
        """Every action (of an agreed plan) that names one of ``urns`` as support."""
        if not urns:
            return []
        rows = await self.session.execute(
            select(PlannedAction, Review)
            .join(Review, Review.id == PlannedAction.review_id)
            .where(
                PlannedAction.support_urn.in_(sorted(urns)),
                PlannedAction.support_status.is_not(None),
            )
            .order_by(PlannedAction.due_date, PlannedAction.id)
        )
        return [(action, review) for action, review in rows]

    async def asked(
        self, action_id: uuid.UUID, urns: Collection[int]
    ) -> tuple[PlannedAction, Review] | None:
        """The action, when it asks one of ``urns`` for support; else nothing (a 404)."""
        if not urns:
            return None
        row = (
            await self.session.execute(
                select(PlannedAction, Review)
                .join(Review, Review.id == PlannedAction.review_id)
                .where(
                    PlannedAction.id == action_id,
                    PlannedAction.support_urn.in_(sorted(urns)),
                    PlannedAction.support_status.is_not(None),
                )
            )
        ).first()
        return None if row is None else (row[0], row[1])
