"""Queries on a review's focus and challenge notes. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from reviews.focus.models import FocusChallenge, ReviewFocus


class FocusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, review_id: uuid.UUID) -> ReviewFocus | None:
        return await self.session.get(ReviewFocus, review_id)

    def add(self, focus: ReviewFocus) -> None:
        self.session.add(focus)

    def append_challenge(self, challenge: FocusChallenge) -> None:
        self.session.add(challenge)

    def challenges(self, review_id: uuid.UUID) -> Select[FocusChallenge]:
        return select(FocusChallenge).where(FocusChallenge.review_id == review_id)
