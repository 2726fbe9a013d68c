"""Queries on reviews and their history. Never commits; the history is only ever appended to."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, delete, false, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from common.db import Repository
from contracts.reviews import ReviewState
from contracts.schedule import MilestoneReminder
from reviews.review.models import (
    MILESTONE_STAGES,
    Review,
    ReviewHistory,
    ReviewReminder,
    states_before,
)


def overdue(today: date) -> ColumnElement[bool]:
    """A milestone date has passed and the review has not reached the stage it marks."""
    late = [
        and_(getattr(Review, column) < today, Review.state.in_(states_before(stage)))
        for column, stage in MILESTONE_STAGES.items()
    ]
    return or_(*late) if late else false()


class ReviewRepository(Repository[Review]):
    model = Review

    async def get_where(
        self, review_id: uuid.UUID, condition: ColumnElement[bool]
    ) -> Review | None:
        # The team in the same statement (its roles decide everything after): one round trip.
        statement = (
            select(Review).options(joinedload(Review.team)).where(Review.id == review_id, condition)
        )
        return (await self.session.execute(statement)).unique().scalar_one_or_none()

    def visible(
        self,
        condition: ColumnElement[bool],
        *,
        partnership_id: uuid.UUID | None = None,
        urn: int | None = None,
        state: ReviewState | None = None,
        academic_year: str | None = None,
        overdue_on: date | None = None,
        overdue_wanted: bool | None = None,
    ) -> Select[Review]:
        statement = select(Review).where(condition)
        if partnership_id is not None:
            statement = statement.where(Review.partnership_id == partnership_id)
        if urn is not None:
            statement = statement.where(Review.urn == urn)
        if state is not None:
            statement = statement.where(Review.state == state)
        if academic_year is not None:
            statement = statement.where(Review.academic_year == academic_year)
        if overdue_wanted is not None and overdue_on is not None:
            late = overdue(overdue_on)
            statement = statement.where(late if overdue_wanted else ~late)
        return statement


class HistoryRepository:
    """Append and read; there is deliberately no update or delete here."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def append(self, entry: ReviewHistory) -> ReviewHistory:
        self.session.add(entry)
        return entry

    def of(self, review_id: uuid.UUID) -> Select[ReviewHistory]:
        return select(ReviewHistory).where(ReviewHistory.review_id == review_id)


async def replace_reminders(
    session: AsyncSession, review_id: uuid.UUID, reminders: Sequence[MilestoneReminder]
) -> None:
    """The plan's reminders, instead of the previous plan's (statements, not the unit of work:
    a removed row and its replacement may share a key)."""
    await session.execute(delete(ReviewReminder).where(ReviewReminder.review_id == review_id))
    rows = {
        (r.milestone, r.lead_school_days): {
            "review_id": review_id,
            "milestone": r.milestone,
            "lead_school_days": r.lead_school_days,
            "remind_on": r.remind_on,
        }
        for r in reminders
        if r.milestone in MILESTONE_STAGES  # a milestone we know the stage of
    }
    if rows:
        await session.execute(insert(ReviewReminder), list(rows.values()))
