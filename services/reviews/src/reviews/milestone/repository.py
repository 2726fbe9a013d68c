"""Queries of the overdue and due-soon sweeps. Never commits."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.reviews import ReviewState
from reviews.milestone.models import DueSoonMilestone, OverdueMilestone
from reviews.review.models import Review, ReviewReminder


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


class DueSoonRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def unsettled(
        self, column: str, stage_not_reached: list[ReviewState], today: date, limit: int
    ) -> Select[Review]:
        """Reviews with a reminder of ``column`` due by ``today`` for a date not yet passed,
        before they reached its stage, and not settled for that date and lead time."""
        due = getattr(Review, column)
        settled = exists().where(
            and_(
                DueSoonMilestone.review_id == Review.id,
                DueSoonMilestone.milestone == column,
                DueSoonMilestone.due_date == due,
                DueSoonMilestone.lead_school_days == ReviewReminder.lead_school_days,
            )
        )
        pending = exists().where(
            and_(
                ReviewReminder.review_id == Review.id,
                ReviewReminder.milestone == column,
                ReviewReminder.remind_on <= today,
                ~settled,
            )
        )
        return (
            select(Review)
            .where(due >= today, Review.state.in_(stage_not_reached), pending)
            .order_by(Review.id)
            .limit(limit)
        )

    async def due_reminders(
        self, review_ids: list[uuid.UUID], column: str, today: date
    ) -> dict[uuid.UUID, list[ReviewReminder]]:
        """The reminders of ``column`` due by ``today`` for these reviews, nearest lead first."""
        statement = (
            select(ReviewReminder)
            .where(
                ReviewReminder.review_id.in_(review_ids),
                ReviewReminder.milestone == column,
                ReviewReminder.remind_on <= today,
            )
            .order_by(ReviewReminder.review_id, ReviewReminder.lead_school_days)
        )
        found: dict[uuid.UUID, list[ReviewReminder]] = {}
        for reminder in (await self.session.scalars(statement)).all():
            found.setdefault(reminder.review_id, []).append(reminder)
        return found

    async def settle(
        self,
        review_id: uuid.UUID,
        milestone: str,
        due_date: date,
        lead_school_days: int,
        *,
        sent: bool,
        detected_at: datetime,
    ) -> bool:
        """Insert the row unless it exists; True if this transaction inserted it (as
        :meth:`OverdueRepository.claim`: a concurrent sweeper inserts nothing)."""
        dialect = self.session.get_bind().dialect.name
        insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(DueSoonMilestone)
            .values(
                review_id=review_id,
                milestone=milestone,
                due_date=due_date,
                lead_school_days=lead_school_days,
                sent=sent,
                detected_at=detected_at,
            )
            .on_conflict_do_nothing()
            .returning(DueSoonMilestone.review_id)
        )
        return (await self.session.execute(statement)).first() is not None
