"""What deciding an event's audience reads: the school's trust (the directory read model),
the review's team, and whether a caller may read the review. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection

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

    async def trusts_of(self, urns: Collection[int]) -> dict[int, str | None]:
        """``trust_of`` for many schools in one query."""
        if not urns:
            return {}
        rows = await self.session.execute(
            select(DirectorySchool.urn, DirectorySchool.trust_uid).where(
                DirectorySchool.urn.in_(urns)
            )
        )
        return dict(rows.tuples().all())

    async def teams_of(self, review_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
        """``team_of`` for many reviews in one query."""
        teams: dict[uuid.UUID, set[str]] = {review_id: set() for review_id in review_ids}
        if not review_ids:
            return teams
        rows = await self.session.execute(
            select(ReviewTeamMember.review_id, ReviewTeamMember.person_id).where(
                ReviewTeamMember.review_id.in_(review_ids)
            )
        )
        for review_id, person_id in rows.tuples():
            teams[review_id].add(str(person_id))
        return teams

    async def readable_among(
        self, review_ids: Collection[uuid.UUID], principal: Principal
    ) -> set[uuid.UUID]:
        """The reviews of ``review_ids`` that ``readable`` would allow, in one query."""
        if not review_ids:
            return set()
        found = await self.session.scalars(
            select(Review.id).where(Review.id.in_(review_ids), review_visible(principal))
        )
        return set(found)
