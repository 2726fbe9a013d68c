"""Queries of the digest. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.reviews import ReviewState
from reviews.directory.models import DirectoryPartnership, DirectorySchool
from reviews.review.models import Review

_FINAL = (ReviewState.CLOSED, ReviewState.CANCELLED)


class DigestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def partnership(self, partnership_id: uuid.UUID) -> DirectoryPartnership | None:
        return await self.session.get(DirectoryPartnership, partnership_id)

    async def reviews(self, partnership_id: uuid.UUID, since: date) -> list[Review]:
        """The partnership's open reviews, and any held from ``since`` on."""
        statement = (
            select(Review)
            .where(
                Review.partnership_id == partnership_id,
                or_(Review.state.not_in(_FINAL), Review.first_day >= since),
            )
            .order_by(Review.first_day, Review.urn)
        )
        return list((await self.session.scalars(statement)).all())

    async def school_names(self, urns: Iterable[int]) -> dict[int, str]:
        statement = select(DirectorySchool.urn, DirectorySchool.name).where(
            DirectorySchool.urn.in_(set(urns))
        )
        return {row.urn: row.name for row in (await self.session.execute(statement)).all()}
