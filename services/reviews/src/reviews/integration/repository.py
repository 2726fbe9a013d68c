"""What deciding an event's audience reads: the school's trust (the directory read model),
the review's team, and whether a caller may read the review. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from reviews.directory.models import DirectorySchool
from reviews.review.models import Review, ReviewTeamMember
from reviews.review.tenancy import review_visible


class AudienceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def trust_of(self, urn: int) -> str | None:
        school = await self.session.get(DirectorySchool, urn)
        return None if school is None else school.trust_uid

    async def team_of(self, review_id: uuid.UUID) -> set[str]:
        """Everyone on the review now: team, Improvement Champion and assistant."""
        people = await self.session.scalars(
            select(ReviewTeamMember.person_id).where(ReviewTeamMember.review_id == review_id)
        )
        return {str(p) for p in people}

    async def readable(self, review_id: uuid.UUID, principal: Principal) -> bool:
        """Whether ``GET /v1/reviews/{id}`` would answer ``principal`` (not 404)."""
        found = await self.session.scalar(
            select(Review.id).where(Review.id == review_id, review_visible(principal))
        )
        return found is not None
