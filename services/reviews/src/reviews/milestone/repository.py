"""Queries of the overdue sweep. Never commits."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.reviews import ReviewState
from reviews.milestone.models import OverdueMilestone
from reviews.review.models import Review


class OverdueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def unannounced(
        self, column: str, stage_not_reached: list[ReviewState], today: date, limit: int
    ) -> Select[Review]:
        """Reviews whose ``column`` date has passed before they reached its stage, and whose
        lateness at that date has not been announced."""
        due = getattr(Review, column)
        announced = exists().where(
            and_(
                OverdueMilestone.review_id == Review.id,
                OverdueMilestone.milestone == column,
                OverdueMilestone.due_date == due,
            )
        )
        return (
            select(Review)
            .where(due < today, Review.state.in_(stage_not_reached), ~announced)
            .order_by(Review.id)
            .limit(limit)
        )

    async def claim(
        self, review_id: uuid.UUID, milestone: str, due_date: date, detected_at: datetime
    ) -> bool:
        """Insert the row unless it exists; True if this transaction inserted it. A concurrent
        sweeper inserting the same row waits for ours (PostgreSQL) or for the write lock
        (SQLite), then inserts nothing."""
        dialect = self.session.get_bind().dialect.name
        insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(OverdueMilestone)
            .values(
                review_id=review_id,
                milestone=milestone,
                due_date=due_date,
                detected_at=detected_at,
            )
            .on_conflict_do_nothing()
            .returning(OverdueMilestone.review_id)
        )
        return (await self.session.execute(statement)).first() is not None
