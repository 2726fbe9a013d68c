"""The counts behind an LA's progress: one grouped query over the reviews."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.reviews import ReviewState
from reviews.directory.models import DirectoryPartnership
from reviews.review.models import MAIN_LINE, Review
from reviews.review.repository import overdue

#: The columns of :class:`~reviews.oversight.schemas.Counts`, in order.
COUNTED = ("planned", "held", "reported", "progress_reviewed", "overdue", "cancelled")


def _from(stage: ReviewState) -> ColumnElement[bool]:
    """The review has reached ``stage`` on the main line."""
    return Review.state.in_(MAIN_LINE[MAIN_LINE.index(stage) :])


async def counts(
    session: AsyncSession, la_code: str, academic_year: str, today: date
) -> dict[uuid.UUID, tuple[int, ...]]:
    """partnership id -> the counts, in ``COUNTED`` order."""
    live = Review.state != ReviewState.CANCELLED
    statement = (
        select(
            Review.partnership_id,
            func.count().filter(live),
            func.count().filter(_from(ReviewState.REVIEW_DAY)),
            func.count().filter(_from(ReviewState.REPORT_PUBLISHED)),
            func.count().filter(live, Review.progress_reviewed_on.is_not(None)),
            func.count().filter(overdue(today)),
            func.count().filter(~live),
        )
        .where(Review.la_code == la_code, Review.academic_year == academic_year)
        .group_by(Review.partnership_id)
    )
    return {
        row[0]: tuple(int(n) for n in row[1:]) for row in (await session.execute(statement)).all()
    }


async def partnerships(session: AsyncSession, la_code: str) -> dict[uuid.UUID, str]:
    """The LA's partnerships as the directory read model holds them: id -> name."""
    statement = select(DirectoryPartnership.id, DirectoryPartnership.name).where(
        DirectoryPartnership.la_code == la_code
    )
    return {row[0]: row[1] for row in (await session.execute(statement)).all()}
